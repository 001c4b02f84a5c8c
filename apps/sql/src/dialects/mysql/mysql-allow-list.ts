import type { DialectAllowList } from '../../guard/allow-list';

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/**
 * What any caller may use on MySQL and MariaDB (names in lower case; the server ignores their
 * case): functions that compute a value from their arguments only. Not listed, so refused: files
 * (LOAD_FILE), sleeping and locks, sequences (NEXTVAL, SETVAL, LASTVAL), server and session
 * information (USER, DATABASE, VERSION, CONNECTION_ID, ...), dynamic columns and XML.
 */
export const MYSQL_ALLOW_LIST: DialectAllowList = {
  functions: words(`
    abs acos asin atan atan2 ceil ceiling conv cos cot crc32 degrees div exp floor greatest least
    ln log log10 log2 mod pi pow power radians rand round sign sin sqrt tan truncate

    ascii bin bit_length char char_length character_length chr concat concat_ws elt export_set field
    find_in_set format from_base64 hex insert instr lcase left length locate lower lpad ltrim
    make_set mid oct octet_length ord position quote regexp_instr regexp_replace regexp_substr
    repeat replace reverse right rpad rtrim soundex space strcmp substr substring substring_index
    to_base64 trim ucase unhex upper md5 sha sha1 sha2 natural_sort_key

    adddate addtime convert_tz curdate current_date current_time current_timestamp curtime
    date date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear extract
    from_days from_unixtime hour last_day localtime localtimestamp makedate maketime microsecond
    minute month monthname now period_add period_diff quarter sec_to_time second str_to_date
    subdate subtime sysdate time time_format time_to_sec timediff timestamp timestampadd
    timestampdiff to_days to_seconds unix_timestamp utc_date utc_time utc_timestamp week weekday
    weekofyear year yearweek

    if ifnull isnull nullif coalesce nvl nvl2 interval

    avg bit_and bit_or bit_xor count group_concat max min std stddev stddev_pop stddev_samp sum
    var_pop var_samp variance json_arrayagg json_objectagg

    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value
    nth_value median percentile_cont percentile_disc

    json_array json_array_append json_array_insert json_compact json_contains json_contains_path
    json_depth json_detailed json_equals json_exists json_extract json_insert json_keys
    json_length json_loose json_merge json_merge_patch json_merge_preserve json_normalize
    json_object json_overlaps json_pretty json_query json_quote json_remove json_replace
    json_search json_set json_type json_unquote json_valid json_value

    cast convert uuid exists
  `),
  operators: words(''),
  types: words(''),
  tableSampleMethods: words(''),
  valueFunctions: words(''),
};

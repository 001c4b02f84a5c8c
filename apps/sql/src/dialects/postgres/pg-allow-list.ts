import type { DialectAllowList } from '../../guard/allow-list';

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/**
 * What any caller may use on PostgreSQL: functions that compute a value from their arguments and
 * nothing else (no files, no other sessions, no settings, no catalogs, no name or OID lookups, no
 * locks, no sequences, no SQL given as text). Names are the ones libpg_query produces: EXTRACT is
 * `extract`, TRIM `btrim`, AT TIME ZONE `timezone`, SIMILAR TO `similar_to_escape`. Anything not
 * listed is refused; an Admin adds a database's own functions with `extra.allowed_functions`.
 */
export const POSTGRES_ALLOW_LIST: DialectAllowList = {
  functions: words(`
    abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi
    power pow radians round scale sign sqrt trim_scale trunc width_bucket random random_normal
    acos acosd asin asind atan atand atan2 atan2d cos cosd cot cotd sin sind tan tand sinh cosh tanh
    asinh acosh atanh erf erfc

    ascii bit_length btrim char_length character_length chr concat concat_ws format initcap left
    length lower lpad ltrim md5 normalize is_normalized octet_length overlay position quote_ident
    quote_literal quote_nullable regexp_count regexp_instr regexp_like regexp_match regexp_matches
    regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr repeat replace reverse
    right rpad rtrim split_part starts_with string_to_array string_to_table strpos substr substring
    to_hex translate unistr upper sha224 sha256 sha384 sha512 encode decode similar_to_escape
    like_escape casefold

    age clock_timestamp date_add date_bin date_part date_subtract date_trunc extract isfinite
    justify_days justify_hours justify_interval make_date make_interval make_time make_timestamp
    make_timestamptz now statement_timestamp transaction_timestamp timeofday to_char to_date
    to_number to_timestamp timezone overlaps

    num_nonnulls num_nulls

    array_agg avg bit_and bit_or bit_xor bool_and bool_or count every max min sum string_agg
    json_agg jsonb_agg json_object_agg jsonb_object_agg json_agg_strict jsonb_agg_strict
    json_object_agg_strict jsonb_object_agg_strict json_object_agg_unique jsonb_object_agg_unique
    corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope
    regr_sxx regr_sxy regr_syy stddev stddev_pop stddev_samp variance var_pop var_samp mode
    percentile_cont percentile_disc any_value

    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value

    to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array
    json_build_object jsonb_build_object json_object jsonb_object json_array_elements
    jsonb_array_elements json_array_elements_text jsonb_array_elements_text json_array_length
    jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text json_extract_path
    jsonb_extract_path json_extract_path_text jsonb_extract_path_text json_object_keys
    jsonb_object_keys json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset
    json_strip_nulls jsonb_strip_nulls jsonb_set jsonb_set_lax jsonb_insert jsonb_pretty json_typeof
    jsonb_typeof jsonb_path_exists jsonb_path_match jsonb_path_query jsonb_path_query_array
    jsonb_path_query_first jsonb_path_exists_tz jsonb_path_match_tz jsonb_path_query_tz
    jsonb_path_query_array_tz jsonb_path_query_first_tz

    array_append array_cat array_dims array_fill array_length array_lower array_ndims
    array_position array_positions array_prepend array_remove array_replace array_to_string
    array_upper array_reverse array_sample array_shuffle array_sort cardinality trim_array unnest
    generate_series generate_subscripts

    int4range int8range numrange daterange tsrange tstzrange isempty lower_inc lower_inf upper_inc
    upper_inf range_merge

    bool int2 int4 int8 float4 float8 numeric text varchar bpchar name date time timetz timestamp
    timestamptz interval
    gen_random_uuid
  `),
  operators: words(`
    + - * / % ^ |/ ||/ @ & | # ~ << >> = <> != < > <= >= || ~~ ~~* !~~ !~~* ~* !~ !~* ^@
    -> ->> #> #>> @> <@ ? ?| ?& #- && @? @@ -|- &< &> <-> BETWEEN NOT_BETWEEN BETWEEN_SYMMETRIC
    NOT_BETWEEN_SYMMETRIC
  `),
  types: words(`
    bool int2 int4 int8 float4 float8 numeric text varchar bpchar char name date time timetz
    timestamp timestamptz interval json jsonb jsonpath uuid bytea inet cidr macaddr macaddr8 bit
    varbit int4range int8range numrange daterange tsrange tstzrange int4multirange int8multirange
    nummultirange datemultirange tsmultirange tstzmultirange
  `),
  tableSampleMethods: words('bernoulli system'),
  valueFunctions: words(`
    current_date current_time current_timestamp localtime localtimestamp
  `),
};

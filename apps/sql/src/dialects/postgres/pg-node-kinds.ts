import type { Node as PgNode } from '@pgsql/types';

type TagOf<N> = N extends unknown ? keyof N : never;

/** Every node type of libpg_query's tree, from the parser's own type definitions. */
export type PgNodeTag = TagOf<PgNode>;

/**
 * What the guard does with a node: `walk` its children (structure that runs no code of its own),
 * `check` it with a rule of its own (it names a function, operator, type or relation, or is a
 * statement), or `refuse` it. Statements of other kinds, planner nodes that a raw parse never
 * holds and syntax the guard does not vouch for are refused, so a node type it has not classified
 * cannot run.
 */
export type PgNodeClass = 'walk' | 'check' | 'refuse';

/**
 * The class of every member of the parser's node union. The switch is exhaustive: a parser
 * upgrade that adds a node type fails the build here until someone decides what it may do; an
 * unknown name at run time lands in `default` and is refused.
 */
export function pgNodeClass(tag: PgNodeTag): PgNodeClass {
  switch (tag) {
    case 'Integer':
    case 'Float':
    case 'Boolean':
    case 'String':
    case 'BitString':
    case 'List':
    case 'A_Const':
    case 'Alias':
    case 'A_Star':
    case 'A_Indices':
    case 'A_ArrayExpr':
    case 'ResTarget':
    case 'MultiAssignRef':
    case 'WindowDef':
    case 'RangeSubselect':
    case 'JoinExpr':
    case 'BoolExpr':
    case 'CaseExpr':
    case 'CaseWhen':
    case 'NullTest':
    case 'BooleanTest':
    case 'RowExpr':
    case 'GroupingSet':
    case 'GroupingFunc':
    case 'CTESearchClause':
    case 'CTECycleClause':
    case 'CoalesceExpr':
    case 'MinMaxExpr':
    case 'NamedArgExpr':
    case 'ParamRef':
    case 'SetToDefault':
    case 'CollateClause':
    case 'OnConflictClause':
    case 'InferClause':
    case 'IndexElem':
    case 'MergeWhenClause':
    case 'ReturningClause':
    case 'ReturningOption':
    case 'ColumnDef':
    case 'JsonFormat':
    case 'JsonReturning':
    case 'JsonValueExpr':
    case 'JsonOutput':
    case 'JsonKeyValue':
    case 'JsonObjectConstructor':
    case 'JsonArrayConstructor':
    case 'JsonArrayQueryConstructor':
    case 'JsonAggConstructor':
    case 'JsonObjectAgg':
    case 'JsonArrayAgg':
    case 'JsonIsPredicate':
    case 'JsonParseExpr':
    case 'JsonScalarExpr':
    case 'JsonSerializeExpr':
      return 'walk';
    case 'SortBy':
    case 'SubLink':
    case 'SelectStmt':
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'WithClause':
    case 'CommonTableExpr':
    case 'RangeVar':
    case 'FuncCall':
    case 'A_Expr':
    case 'TypeCast':
    case 'TypeName':
    case 'ColumnRef':
    case 'A_Indirection':
    case 'RangeFunction':
    case 'RangeTableSample':
    case 'SQLValueFunction':
    case 'IntoClause':
    case 'LockingClause':
    case 'XmlExpr':
    case 'XmlSerialize':
    case 'RangeTableFunc':
    case 'RangeTableFuncCol':
      return 'check';
    case 'ParseResult':
    case 'ScanResult':
    case 'OidList':
    case 'IntList':
    case 'TableFunc':
    case 'Var':
    case 'Param':
    case 'Aggref':
    case 'WindowFunc':
    case 'WindowFuncRunCondition':
    case 'MergeSupportFunc':
    case 'SubscriptingRef':
    case 'FuncExpr':
    case 'OpExpr':
    case 'DistinctExpr':
    case 'NullIfExpr':
    case 'ScalarArrayOpExpr':
    case 'SubPlan':
    case 'AlternativeSubPlan':
    case 'FieldSelect':
    case 'FieldStore':
    case 'RelabelType':
    case 'CoerceViaIO':
    case 'ArrayCoerceExpr':
    case 'ConvertRowtypeExpr':
    case 'CollateExpr':
    case 'CaseTestExpr':
    case 'ArrayExpr':
    case 'RowCompareExpr':
    case 'JsonConstructorExpr':
    case 'JsonBehavior':
    case 'JsonExpr':
    case 'JsonTablePath':
    case 'JsonTablePathScan':
    case 'JsonTableSiblingJoin':
    case 'MergeAction':
    case 'CoerceToDomain':
    case 'CoerceToDomainValue':
    case 'CurrentOfExpr':
    case 'NextValueExpr':
    case 'InferenceElem':
    case 'ReturningExpr':
    case 'TargetEntry':
    case 'RangeTblRef':
    case 'FromExpr':
    case 'OnConflictExpr':
    case 'Query':
    case 'RoleSpec':
    case 'TableLikeClause':
    case 'DefElem':
    case 'PartitionElem':
    case 'PartitionSpec':
    case 'PartitionBoundSpec':
    case 'PartitionRangeDatum':
    case 'PartitionCmd':
    case 'RangeTblEntry':
    case 'RTEPermissionInfo':
    case 'RangeTblFunction':
    case 'TableSampleClause':
    case 'WithCheckOption':
    case 'SortGroupClause':
    case 'WindowClause':
    case 'RowMarkClause':
    case 'TriggerTransition':
    case 'JsonArgument':
    case 'JsonFuncExpr':
    case 'JsonTablePathSpec':
    case 'JsonTable':
    case 'JsonTableColumn':
    case 'RawStmt':
    case 'SetOperationStmt':
    case 'ReturnStmt':
    case 'PLAssignStmt':
    case 'CreateSchemaStmt':
    case 'AlterTableStmt':
    case 'AlterTableCmd':
    case 'ATAlterConstraint':
    case 'ReplicaIdentityStmt':
    case 'AlterCollationStmt':
    case 'AlterDomainStmt':
    case 'GrantStmt':
    case 'ObjectWithArgs':
    case 'AccessPriv':
    case 'GrantRoleStmt':
    case 'AlterDefaultPrivilegesStmt':
    case 'CopyStmt':
    case 'VariableSetStmt':
    case 'VariableShowStmt':
    case 'CreateStmt':
    case 'Constraint':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'AlterTableSpaceOptionsStmt':
    case 'AlterTableMoveAllStmt':
    case 'CreateExtensionStmt':
    case 'AlterExtensionStmt':
    case 'AlterExtensionContentsStmt':
    case 'CreateFdwStmt':
    case 'AlterFdwStmt':
    case 'CreateForeignServerStmt':
    case 'AlterForeignServerStmt':
    case 'CreateForeignTableStmt':
    case 'CreateUserMappingStmt':
    case 'AlterUserMappingStmt':
    case 'DropUserMappingStmt':
    case 'ImportForeignSchemaStmt':
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
    case 'CreateAmStmt':
    case 'CreateTrigStmt':
    case 'CreateEventTrigStmt':
    case 'AlterEventTrigStmt':
    case 'CreatePLangStmt':
    case 'CreateRoleStmt':
    case 'AlterRoleStmt':
    case 'AlterRoleSetStmt':
    case 'DropRoleStmt':
    case 'CreateSeqStmt':
    case 'AlterSeqStmt':
    case 'DefineStmt':
    case 'CreateDomainStmt':
    case 'CreateOpClassStmt':
    case 'CreateOpClassItem':
    case 'CreateOpFamilyStmt':
    case 'AlterOpFamilyStmt':
    case 'DropStmt':
    case 'TruncateStmt':
    case 'CommentStmt':
    case 'SecLabelStmt':
    case 'DeclareCursorStmt':
    case 'ClosePortalStmt':
    case 'FetchStmt':
    case 'IndexStmt':
    case 'CreateStatsStmt':
    case 'StatsElem':
    case 'AlterStatsStmt':
    case 'CreateFunctionStmt':
    case 'FunctionParameter':
    case 'AlterFunctionStmt':
    case 'DoStmt':
    case 'InlineCodeBlock':
    case 'CallStmt':
    case 'CallContext':
    case 'RenameStmt':
    case 'AlterObjectDependsStmt':
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
    case 'AlterOperatorStmt':
    case 'AlterTypeStmt':
    case 'RuleStmt':
    case 'NotifyStmt':
    case 'ListenStmt':
    case 'UnlistenStmt':
    case 'TransactionStmt':
    case 'CompositeTypeStmt':
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
    case 'AlterEnumStmt':
    case 'ViewStmt':
    case 'LoadStmt':
    case 'CreatedbStmt':
    case 'AlterDatabaseStmt':
    case 'AlterDatabaseRefreshCollStmt':
    case 'AlterDatabaseSetStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'ClusterStmt':
    case 'VacuumStmt':
    case 'VacuumRelation':
    case 'ExplainStmt':
    case 'CreateTableAsStmt':
    case 'RefreshMatViewStmt':
    case 'CheckPointStmt':
    case 'DiscardStmt':
    case 'LockStmt':
    case 'ConstraintsSetStmt':
    case 'ReindexStmt':
    case 'CreateConversionStmt':
    case 'CreateCastStmt':
    case 'CreateTransformStmt':
    case 'PrepareStmt':
    case 'ExecuteStmt':
    case 'DeallocateStmt':
    case 'DropOwnedStmt':
    case 'ReassignOwnedStmt':
    case 'AlterTSDictionaryStmt':
    case 'AlterTSConfigurationStmt':
    case 'PublicationTable':
    case 'PublicationObjSpec':
    case 'CreatePublicationStmt':
    case 'AlterPublicationStmt':
    case 'CreateSubscriptionStmt':
    case 'AlterSubscriptionStmt':
    case 'DropSubscriptionStmt':
    case 'ScanToken':
    case 'SummaryResult':
    case 'Table':
    case 'Function':
    case 'FilterColumn':
      return 'refuse';
    default:
      return unknownTag(tag);
  }
}

function unknownTag(tag: never): 'refuse' {
  void tag;
  return 'refuse';
}

export type PgCheckedTag =
  | 'SubLink'
  | 'SortBy'
  | 'SelectStmt'
  | 'InsertStmt'
  | 'UpdateStmt'
  | 'DeleteStmt'
  | 'MergeStmt'
  | 'WithClause'
  | 'CommonTableExpr'
  | 'RangeVar'
  | 'FuncCall'
  | 'A_Expr'
  | 'TypeCast'
  | 'TypeName'
  | 'ColumnRef'
  | 'A_Indirection'
  | 'RangeFunction'
  | 'RangeTableSample'
  | 'SQLValueFunction'
  | 'IntoClause'
  | 'LockingClause'
  | 'XmlExpr'
  | 'XmlSerialize'
  | 'RangeTableFunc'
  | 'RangeTableFuncCol';

export const isCheckedTag = (tag: PgNodeTag): tag is PgCheckedTag => pgNodeClass(tag) === 'check';

/**
 * Fields that hold a node without its type wrapper (`{"alias": {...}}` rather than
 * `{"alias": {"Alias": {...}}}`), by `<parent type>.<field>`: the type they hold. Any other
 * unwrapped object is refused.
 */
export const PG_STRUCT_FIELDS: Readonly<Record<string, PgNodeTag>> = {
  'A_Const.ival': 'Integer',
  'A_Const.fval': 'Float',
  'A_Const.boolval': 'Boolean',
  'A_Const.sval': 'String',
  'A_Const.bsval': 'BitString',
  'RangeVar.alias': 'Alias',
  'JoinExpr.alias': 'Alias',
  'JoinExpr.join_using_alias': 'Alias',
  'RangeSubselect.alias': 'Alias',
  'RangeFunction.alias': 'Alias',
  'InsertStmt.relation': 'RangeVar',
  'UpdateStmt.relation': 'RangeVar',
  'DeleteStmt.relation': 'RangeVar',
  'MergeStmt.relation': 'RangeVar',
  'TypeCast.typeName': 'TypeName',
  'ColumnDef.typeName': 'TypeName',
  'JsonOutput.typeName': 'TypeName',
  'ColumnDef.collClause': 'CollateClause',
  'FuncCall.over': 'WindowDef',
  'JsonAggConstructor.over': 'WindowDef',
  'JsonReturning.format': 'JsonFormat',
  'JsonValueExpr.format': 'JsonFormat',
  'JsonIsPredicate.format': 'JsonFormat',
  'JsonArrayQueryConstructor.format': 'JsonFormat',
  'JsonKeyValue.value': 'JsonValueExpr',
  'JsonParseExpr.expr': 'JsonValueExpr',
  'JsonSerializeExpr.expr': 'JsonValueExpr',
  'JsonArrayAgg.arg': 'JsonValueExpr',
  'JsonParseExpr.output': 'JsonOutput',
  'JsonScalarExpr.output': 'JsonOutput',
  'JsonSerializeExpr.output': 'JsonOutput',
  'JsonObjectConstructor.output': 'JsonOutput',
  'JsonArrayConstructor.output': 'JsonOutput',
  'JsonArrayQueryConstructor.output': 'JsonOutput',
  'JsonAggConstructor.output': 'JsonOutput',
  'JsonOutput.returning': 'JsonReturning',
  'JsonObjectAgg.constructor': 'JsonAggConstructor',
  'JsonArrayAgg.constructor': 'JsonAggConstructor',
  'JsonObjectAgg.arg': 'JsonKeyValue',
  'OnConflictClause.infer': 'InferClause',
  'CommonTableExpr.search_clause': 'CTESearchClause',
  'CommonTableExpr.cycle_clause': 'CTECycleClause',
  'InsertStmt.onConflictClause': 'OnConflictClause',
  'InsertStmt.returningClause': 'ReturningClause',
  'UpdateStmt.returningClause': 'ReturningClause',
  'DeleteStmt.returningClause': 'ReturningClause',
  'MergeStmt.returningClause': 'ReturningClause',
  'InsertStmt.withClause': 'WithClause',
  'UpdateStmt.withClause': 'WithClause',
  'DeleteStmt.withClause': 'WithClause',
  'MergeStmt.withClause': 'WithClause',
  'SelectStmt.withClause': 'WithClause',
  'SelectStmt.intoClause': 'IntoClause',
  'SelectStmt.larg': 'SelectStmt',
  'SelectStmt.rarg': 'SelectStmt',
};

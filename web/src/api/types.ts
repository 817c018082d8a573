// Wire types of the Actor Trainer API, generated from its contract (docs/openapi.json, by
// openapi-typescript into schema.gen.ts at build time). The server owns every rule; these only
// name what it sends. Change the document, not these aliases.
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type SyncState = Schemas["SyncState"];
export type VersionStatus = Schemas["VersionStatus"];
export type LogKind = Schemas["LogKind"];
export type ActorItem = Schemas["Actor"];
export type ValidatedModel = NonNullable<ActorItem["validated_lora_model"]>;
export type ActorPage = Schemas["ActorList"];
export type Finding = Schemas["Finding"];
export type TrainingFile = Schemas["TrainingFile"];
export type TrainingData = Schemas["TrainingData"];
export type ParameterValue = Schemas["ParameterValue"];
export type Parameters = Schemas["Parameters"];
export type FieldProblem = Schemas["FieldError"];
export type Estimate = Schemas["Estimate"];
/** One reason a training cannot start now, from the server. */
export type Blocker = Schemas["Blocker"];
export type TrainingPlan = Schemas["Plan"];
export type Endpoint = Schemas["Endpoint"];
export type ServerSettings = Schemas["Settings"];
export type ParameterSpec = Schemas["ParameterSpec"];
export type Progress = Schemas["Progress"];
export type Version = Schemas["Version"];
export type VersionList = Schemas["VersionList"];
export type LogLines = Schemas["LogLines"];
export type ImportRun = Schemas["ImportRun"];
export type ImportStep = ImportRun["actors"][number]["steps"][number];
export type LogLine = Schemas["LogLine"];
export type Comparison = Schemas["Comparison"];
export type Curve = Schemas["Curve"];
export type Preview = Schemas["Preview"];
export type PreviewList = Schemas["PreviewList"];
export type Tunnel = Schemas["Tunnel"];
export type Health = Schemas["Health"];
export type SyncEvent = Schemas["SyncEvent"];
export type ApiError = Schemas["Error"];
export type Budget = Schemas["Budget"];
export type BudgetPeriod = Schemas["BudgetPeriod"];
export type BudgetCaps = Schemas["BudgetCaps"];
export type BatchRequest = Schemas["BatchRequest"];
export type BatchPlan = Schemas["BatchPlan"];
export type BatchPlanItem = BatchPlan["items"][number];
export type Batch = Schemas["Batch"];
export type BatchEntry = Batch["entries"][number];
export type Stats = Schemas["Stats"];

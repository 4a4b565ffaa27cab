/**
 * The launch table of docs/policy-semantics.md#reach: for a service a role trusts, which actions let a
 * principal that may pass the role (`iam:PassRole`) start something that runs as it. Data, one row per
 * service: `all` lists alternatives that are each enough on their own; each entry of a row is either one
 * action or a list of actions that are all needed. A service outside the table creates no reach.
 */

/** One way to launch: every action of the list is needed. */
export type Launch = readonly string[];

export interface LaunchRow {
  readonly service: string;
  /** Any one of these launches suffices. */
  readonly any: readonly Launch[];
}

const one = (...actions: string[]): Launch[] => actions.map((action) => [action]);
const both = (firsts: readonly string[], seconds: readonly string[]): Launch[] =>
  firsts.flatMap((a) => seconds.map((b) => [a, b]));

/** EC2 also needs the role in an instance profile (or `iam:AddRoleToInstanceProfile`): see `needsInstanceProfile`. */
export const LAUNCHES: readonly LaunchRow[] = [
  {
    service: "ec2.amazonaws.com",
    any: one("ec2:RunInstances", "ec2:RequestSpotInstances", "ec2:CreateFleet"),
  },
  {
    service: "lambda.amazonaws.com",
    any: [
      ...both(["lambda:CreateFunction"], ["lambda:InvokeFunction", "lambda:CreateEventSourceMapping"]),
      ["lambda:UpdateFunctionConfiguration"],
    ],
  },
  {
    service: "ecs-tasks.amazonaws.com",
    any: one("ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService", "batch:SubmitJob"),
  },
  {
    service: "codebuild.amazonaws.com",
    any: both(
      ["codebuild:CreateProject", "codebuild:UpdateProject"],
      ["codebuild:StartBuild", "codebuild:StartBuildBatch"],
    ),
  },
  {
    service: "pods.eks.amazonaws.com",
    any: one("eks:CreatePodIdentityAssociation", "eks:UpdatePodIdentityAssociation"),
  },
  {
    service: "cloudformation.amazonaws.com",
    any: [
      ...one("cloudformation:CreateStack", "cloudformation:UpdateStack"),
      ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
      ...one("cloudformation:CreateStackSet", "cloudformation:UpdateStackSet"),
    ],
  },
  {
    service: "glue.amazonaws.com",
    any: [
      ...both(["glue:CreateJob", "glue:UpdateJob"], ["glue:StartJobRun", "glue:CreateTrigger"]),
      ...one("glue:CreateDevEndpoint", "glue:CreateSession"),
    ],
  },
  {
    service: "sagemaker.amazonaws.com",
    any: [
      ...one("sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"),
      ["sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
    ],
  },
  {
    service: "states.amazonaws.com",
    any: both(
      ["states:CreateStateMachine", "states:UpdateStateMachine"],
      ["states:StartExecution", "states:StartSyncExecution"],
    ),
  },
  {
    service: "ssm.amazonaws.com",
    any: one(
      "ssm:CreateActivation",
      "ssm:UpdateManagedInstanceRole",
      "ssm:StartAutomationExecution",
      "ssm:CreateAssociation",
    ),
  },
  { service: "scheduler.amazonaws.com", any: one("scheduler:CreateSchedule", "scheduler:UpdateSchedule") },
  {
    service: "tasks.apprunner.amazonaws.com",
    any: one("apprunner:CreateService", "apprunner:UpdateService"),
  },
  { service: "elasticmapreduce.amazonaws.com", any: one("elasticmapreduce:RunJobFlow") },
  {
    service: "codepipeline.amazonaws.com",
    any: one("codepipeline:CreatePipeline", "codepipeline:UpdatePipeline"),
  },
];

/** The EC2 row needs the role in an instance profile, or the power to put it in one. */
export const INSTANCE_PROFILE_SERVICE = "ec2.amazonaws.com";
export const ADD_TO_INSTANCE_PROFILE = "iam:AddRoleToInstanceProfile";

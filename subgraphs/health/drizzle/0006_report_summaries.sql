CREATE TABLE "health"."report_summaries" (
	"report" text NOT NULL,
	"args" text NOT NULL,
	"unit_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"version" bigint NOT NULL,
	"figures" jsonb NOT NULL,
	CONSTRAINT "report_summaries_report_args_unit_id_pk" PRIMARY KEY("report","args","unit_id")
);
--> statement-breakpoint
CREATE TABLE "health"."summary_epoch" (
	"id" smallint PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."summary_versions" (
	"unit_id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);

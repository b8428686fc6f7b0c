resource "aws_sfn_state_machine" "pipeline" {
  name     = "${var.project}-pipeline"
  role_arn = var.sfn_role_arn

  definition = templatefile("${path.module}/templates/pipeline.asl.json.tpl", {
    table_name     = "pipeline-runs"
    max_attempts   = 3
    crawler_lambda = aws_lambda_function.crawler.arn
    topic_arn      = var.alerts_topic_arn
  })
}

resource "aws_sfn_state_machine" "ping" {
  name       = "ping"
  role_arn   = var.role_arn
  definition = "{\"StartAt\":\"Ping\",\"States\":{\"Ping\":{\"Type\":\"Pass\",\"Result\":\"pong from ${var.environment}\",\"End\":true}}}"
}

# The definition lives next to the module, where the console and editors can open it.
resource "aws_sfn_state_machine" "orders" {
  name       = "orders"
  role_arn   = var.role_arn
  definition = file("${path.module}/definitions/orders.asl.json")
}

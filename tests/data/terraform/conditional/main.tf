variable "use_express" {
  type    = bool
  default = false
}

variable "definition" {
  type = string
}

# The definition is chosen at plan time: ASL Studio can show neither branch as the machine.
resource "aws_sfn_state_machine" "chosen" {
  name     = "chosen"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  definition = var.use_express ? jsonencode({
    StartAt = "Fast"
    States  = { Fast = { Type = "Pass", End = true } }
    }) : jsonencode({
    StartAt = "Slow"
    States  = { Slow = { Type = "Wait", Seconds = 60, End = true } }
  })
}

# The definition comes from a module input, which this file does not hold.
resource "aws_sfn_state_machine" "passed_in" {
  name       = "passed-in"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = var.definition
}

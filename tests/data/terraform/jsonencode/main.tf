# Order intake: a Lambda validates the order, a Choice routes it, SNS tells the team.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "environment" {
  type    = string
  default = "dev"
}

resource "aws_sns_topic" "orders" {
  name = "orders-${var.environment}"
}

resource "aws_iam_role" "sfn" {
  name = "order-intake-sfn"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_sfn_state_machine" "order_intake" {
  name     = "order-intake-${var.environment}"
  role_arn = aws_iam_role.sfn.arn

  # The workflow itself. Keep the states in execution order.
  definition = jsonencode({
    Comment = "Order intake (${var.environment})"
    StartAt = "ValidateOrder"
    States = {
      # Rejects malformed orders before anything is charged.
      ValidateOrder = {
        Type     = "Task"
        Resource = "arn:aws:states:::lambda:invoke"
        Parameters = {
          FunctionName = aws_lambda_function.validate.arn
          "Payload.$"  = "$"
        }
        ResultSelector = {
          "valid.$" = "$.Payload.valid"
        }
        Retry = [
          {
            ErrorEquals     = ["Lambda.ServiceException", "Lambda.TooManyRequestsException"]
            IntervalSeconds = 2
            MaxAttempts     = 3
            BackoffRate     = 2
          }
        ]
        Next = "IsValid" // the Choice below
      }
      IsValid = {
        Type = "Choice"
        Choices = [
          {
            Variable      = "$.valid"
            BooleanEquals = true
            Next          = "NotifyTeam"
          }
        ]
        Default = "Rejected"
      }
      /* SNS publish: the topic comes from this module. */
      NotifyTeam = {
        Type     = "Task"
        Resource = "arn:aws:states:::sns:publish"
        Parameters = {
          TopicArn    = aws_sns_topic.orders.arn
          "Message.$" = "$"
        }
        TimeoutSeconds = var.notify_timeout
        End            = true
      }
      Rejected = {
        Type  = "Fail"
        Error = "OrderRejected"
      }
    }
  })

  tags = {
    Team = "orders" # owner
  }
}

output "state_machine_arn" {
  value = aws_sfn_state_machine.order_intake.arn
}

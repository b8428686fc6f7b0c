locals {
  # Shared by the two machines below.
  role_arn = "arn:aws:iam::123456789012:role/workflows"

  fan_out_definition = jsonencode({
    StartAt = "FanOut"
    States = {
      FanOut = {
        Type           = "Map"
        ItemsPath      = "$.items"
        MaxConcurrency = 10
        ItemProcessor = {
          ProcessorConfig = { Mode = "INLINE" }
          StartAt         = "Enqueue"
          States = {
            Enqueue = {
              Type     = "Task"
              Resource = "arn:aws:states:::sqs:sendMessage"
              Parameters = {
                QueueUrl        = var.queue_url
                "MessageBody.$" = "$"
              }
              End = true
            }
          }
        }
        End = true
      }
    }
  })

  # Encoded by the resource: `jsonencode(local.audit_definition)`.
  audit_definition = {
    StartAt = "Record"
    States = {
      Record = {
        Type       = "Pass"
        Parameters = { "at.$" = "$$.State.EnteredTime", environment = var.environment }
        End        = true
      }
    }
  }
}

resource "aws_sfn_state_machine" "fan_out" {
  name       = "fan-out-${var.environment}"
  role_arn   = local.role_arn
  definition = local.fan_out_definition
}

resource "aws_sfn_state_machine" "cleanup" {
  name     = "cleanup-${var.environment}"
  role_arn = local.role_arn
  type     = "EXPRESS"

  definition = jsonencode({
    StartAt = "Purge"
    States = {
      Purge = {
        Type     = "Task"
        Resource = "arn:aws:states:::aws-sdk:sqs:purgeQueue"
        Parameters = {
          QueueUrl = var.queue_url
        }
        End = true
      }
    }
  })
}

resource "aws_sfn_state_machine" "report" {
  name       = "report-${var.environment}"
  role_arn   = local.role_arn
  definition = templatefile("${path.module}/asl/report.asl.json", { environment = var.environment })
}

resource "aws_sfn_state_machine" "audit" {
  name       = "audit-${var.environment}"
  role_arn   = local.role_arn
  definition = jsonencode(local.audit_definition)
}

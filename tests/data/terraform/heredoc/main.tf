resource "aws_lambda_function" "hello" {
  function_name = "hello-world"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "hello.zip"
}

# Heredoc at column 0, as the provider documentation writes it.
resource "aws_sfn_state_machine" "hello" {
  name     = "hello-world"
  role_arn = "arn:aws:iam::123456789012:role/sfn"

  definition = <<EOF
{
  "Comment": "A Hello World example using an AWS Lambda function",
  "StartAt": "HelloWorld",
  "States": {
    "HelloWorld": {
      "Type": "Task",
      "Resource": "${aws_lambda_function.hello.arn}",
      "Next": "Done"
    },
    "Done": {
      "Type": "Succeed"
    }
  }
}
EOF
}

# Indented heredoc (<<-): Terraform strips the common indentation.
resource "aws_sfn_state_machine" "batch" {
  name     = "nightly-batch"
  role_arn = "arn:aws:iam::123456789012:role/sfn"
  type     = "STANDARD"

  definition = <<-JSON
    {
      "StartAt": "Wait",
      "States": {
        "Wait": {
          "Type": "Wait",
          "Seconds": ${var.wait_seconds},
          "Next": "Run"
        },
        "Run": {
          "Type": "Task",
          "Resource": "arn:aws:states:::batch:submitJob.sync",
          "Parameters": {
            "JobName": "nightly",
            "JobQueue": "${var.job_queue_arn}",
            "JobDefinition": "${var.job_definition_arn}"
          },
          "End": true
        }
      }
    }
  JSON
}

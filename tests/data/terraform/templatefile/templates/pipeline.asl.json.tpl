{
  "Comment": "Crawl, record the run, alert on failure",
  "StartAt": "Crawl",
  "States": {
    "Crawl": {
      "Type": "Task",
      "Resource": "${crawler_lambda}",
      "Retry": [
        {
          "ErrorEquals": ["States.TaskFailed"],
          "MaxAttempts": ${max_attempts}
        }
      ],
      "Catch": [
        {
          "ErrorEquals": ["States.ALL"],
          "Next": "Alert"
        }
      ],
      "Next": "RecordRun"
    },
    "RecordRun": {
      "Type": "Task",
      "Resource": "arn:aws:states:::dynamodb:putItem",
      "Parameters": {
        "TableName": "${table_name}",
        "Item": {
          "id": {"S.$": "$$.Execution.Id"}
        }
      },
      "End": true
    },
    "Alert": {
      "Type": "Task",
      "Resource": "arn:aws:states:::sns:publish",
      "Parameters": {
        "TopicArn": "${topic_arn}",
        "Message.$": "$.Cause"
      },
      "End": true
    }
  }
}

# Root module: the workflows live in a child module, as terraform-aws-modules examples lay them out.
module "workflows" {
  source = "./modules/workflows"

  environment = "prod"
  queue_url   = "https://sqs.eu-west-1.amazonaws.com/123456789012/work"
}

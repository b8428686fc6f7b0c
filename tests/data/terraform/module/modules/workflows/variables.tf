variable "environment" {
  type = string
}

variable "queue_url" {
  type = string
}

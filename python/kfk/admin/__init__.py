"""kafka-python's kafka.admin, on kfk."""

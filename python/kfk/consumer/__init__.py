"""kafka-python's kafka.consumer, on kfk."""

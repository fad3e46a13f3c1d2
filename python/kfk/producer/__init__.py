"""kafka-python's kafka.producer, on kfk."""

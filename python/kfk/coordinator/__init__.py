"""kafka-python's kafka.coordinator: only its assignors, which consumers
name in partition_assignment_strategy; kfk's C core runs group membership."""

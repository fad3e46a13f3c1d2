"""The partition assignors kfk's C core implements, under kafka-python's
module and class names."""

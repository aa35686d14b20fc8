"""Fine-tuning a pretrained classifier on an image folder, in either backend."""

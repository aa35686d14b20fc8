"""ResNet-18/34/50: torchvision architecture in both backends."""

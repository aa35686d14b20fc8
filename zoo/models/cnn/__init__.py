"""The basic CNN of the seed notes: two conv blocks, a 512-unit dense layer, dropout."""

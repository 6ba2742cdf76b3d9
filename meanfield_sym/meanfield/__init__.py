"""Mean-field recursions and the statistics read off them (Fisher, NTK, feature metric,
softmax, natural gradient)."""

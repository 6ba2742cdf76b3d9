"""The activation layer: a function φ of one variable, parsed from a whitelist, with its
distributional derivative and the support of φ'."""

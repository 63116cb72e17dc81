"""The numeric half of the suite: task families, exact meta-objectives, the three algorithms, and the checks."""

"""The synthetic national corpus for scale tests: plans drawn from the seed plans' statistics."""

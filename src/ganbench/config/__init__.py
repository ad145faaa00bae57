"""params.yaml and its profiles, validated into typed settings: above data and models, whose
settings it assembles, below everything that reads them."""

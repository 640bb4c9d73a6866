// ReviewEngine module.

// PromptLibrary module.

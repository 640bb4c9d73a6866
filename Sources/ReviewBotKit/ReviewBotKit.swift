// ReviewBotKit module.

import ArgumentParser
import ReviewBotKit

@main
struct ReviewBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviewbot",
        abstract: "Review Linux kernel patch series and draft inline replies.",
        discussion: """
            SOURCE is a file or directory (mbox, .eml, maildir), - for stdin, a message-id,
            a lore URL, a patch.msgid.link URL, or imaps://user@host/Mailbox.

            Exit codes: 0 done; 1 finished with something left undone (failed tasks,
            budget reached, unreadable messages); 2 bad arguments or configuration;
            3 a source, the network or a server failed.
            """,
        subcommands: [
            FetchCommand.self,
            DraftsCommand.self,
            SendCommand.self,
            ConfigCommand.self,
            PromptsCommand.self,
            SeriesCommand.self,
            PlanCommand.self,
            ReviewCommand.self,
            ScanCommand.self,
        ])
}

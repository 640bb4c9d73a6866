import ArgumentParser
import Foundation
import ReviewBotKit
import ReviewEngine

struct LessonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "Show, edit or remove the lessons your rejections taught.",
        discussion: """
            A lesson is the --why of `reviewbot feedback --reject`: a short note, kept in
            the state database ($XDG_STATE_HOME/reviewbot), added to the system prompt of
            every review that all the guides of its scope apply to (the subsystem guides in
            force for the rejected finding), labelled as your own notes. All the
            lessons of one review are limited to 3,000 bytes, newest first. They are never
            written into the bundled review-prompts/.
            Examples:
              reviewbot lessons
              reviewbot lessons edit 3
              reviewbot lessons remove 3
            """,
        subcommands: [List.self, Edit.self, Remove.self],
        defaultSubcommand: List.self)

    static func store() throws -> StateStore {
        try StateStore(url: XDGDirectories(environment: ProcessInfo.processInfo.environment).stateDatabase)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the lessons, newest first.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            _ = try global.loadConfiguration()
            do {
                let lessons = try LessonsCommand.store().lessons()
                if lessons.isEmpty {
                    print("no lessons yet: reviewbot feedback --reject FINGERPRINT --why \"...\" adds one")
                }
                for lesson in lessons {
                    print("\(lesson.id). [\(lesson.scope.joined(separator: ", "))]"
                        + (lesson.category.map { " (\($0))" } ?? "") + " " + lesson.text
                            .split(separator: "\n").joined(separator: "\n   "))
                }
            } catch {
                throw Diagnostics.fail(error)
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit a lesson's scope and text in $VISUAL or $EDITOR.")

        @Argument(help: "The lesson's number, as `reviewbot lessons` lists it.")
        var id: Int64

        @OptionGroup var global: GlobalOptions

        func run() throws {
            _ = try global.loadConfiguration()
            do {
                let store = try LessonsCommand.store()
                guard let lesson = try store.lessons().first(where: { $0.id == id }) else {
                    throw ReviewBotError("there is no lesson \(id); reviewbot lessons lists them")
                }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("reviewbot-lesson-\(id)-\(UUID().uuidString).txt")
                try Data(LessonEditing.render(lesson).utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                try Self.runEditor(on: file)
                guard let (scope, text) = try LessonEditing.parse(try String(contentsOf: file, encoding: .utf8)) else {
                    Diagnostics.note("lesson \(id) left as it was")
                    return
                }
                try store.updateLesson(id: id, scope: scope, text: text)
                Diagnostics.note("lesson \(id) saved")
            } catch {
                throw Diagnostics.fail(error)
            }
        }

        /// `$VISUAL`, else `$EDITOR`, else `vi`, through the shell so an editor given with
        /// arguments works; the file name is passed as an argument, never pasted.
        static func runEditor(on file: URL) throws {
            let environment = ProcessInfo.processInfo.environment
            let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", editor + " \"$1\"", "sh", file.path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ReviewBotError("the editor (\(editor)) exited with \(process.terminationStatus); the lesson was not changed")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a lesson.")

        @Argument(help: "The lesson's number, as `reviewbot lessons` lists it.")
        var id: Int64

        @OptionGroup var global: GlobalOptions

        func run() throws {
            _ = try global.loadConfiguration()
            do {
                guard try LessonsCommand.store().removeLesson(id: id) else {
                    throw ReviewBotError("there is no lesson \(id); reviewbot lessons lists them")
                }
                Diagnostics.note("lesson \(id) removed")
            } catch {
                throw Diagnostics.fail(error)
            }
        }
    }
}

import Foundation
import GRDB

/// `reviewbot eval`'s finished rows, so an interrupted eval continues where it stopped:
/// keyed by the benchmark file's hash, the model, the row and the run. The row's result is
/// stored as the JSON the command layer encodes; the engine does not read it.
extension StateStore {
    static func registerEvalMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("eval") { db in
            try db.create(table: "evalRow") { table in
                table.column("benchmark", .text).notNull()
                table.column("model", .text).notNull()
                table.column("row", .integer).notNull()
                table.column("run", .integer).notNull()
                table.column("result", .blob).notNull()
                table.column("finishedAt", .datetime).notNull()
                table.primaryKey(["benchmark", "model", "row", "run"])
            }
        }
    }

    /// The results recorded for a benchmark and model, by row and run.
    public func evalResults(benchmark: String, model: String) throws -> [(row: Int, run: Int, result: Data)] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT row, run, result FROM evalRow WHERE benchmark = ? AND model = ? ORDER BY run, row
                    """, arguments: [benchmark, model]).map { ($0["row"], $0["run"], $0["result"]) }
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    /// Records a finished row; written at once, so a kill right after loses nothing.
    public func recordEvalResult(benchmark: String, model: String, row: Int, run: Int, result: Data,
                                 at date: Date = Date()) throws {
        do {
            try database.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO evalRow (benchmark, model, row, run, result, finishedAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [benchmark, model, row, run, result, date])
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }

    /// Forgets every finished row of a benchmark and model (`eval --restart`); returns how
    /// many there were. The response cache is kept, so answers already paid for are reused.
    @discardableResult
    public func forgetEvalResults(benchmark: String, model: String) throws -> Int {
        do {
            return try database.write { db in
                try db.execute(sql: "DELETE FROM evalRow WHERE benchmark = ? AND model = ?", arguments: [benchmark, model])
                return db.changesCount
            }
        } catch {
            throw ReviewEngineError.stateStore(path, error)
        }
    }
}

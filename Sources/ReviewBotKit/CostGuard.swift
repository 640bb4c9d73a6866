import Foundation

/// Whether a review may start, given what its plan is estimated to cost. The defaults
/// protect a user who points the tool at a whole mailbox: above `[review]
/// confirm_above_usd` a terminal asks, and anything else refuses unless `--yes` (or a
/// `--budget` that caps the run) says the user means it.
public enum CostGuard {
    public enum Decision: Sendable, Equatable {
        case proceed
        /// Ask this question on the terminal; go on only on yes.
        case ask(String)
        /// Refuse with this message (exit 2: a flag is needed).
        case refuse(String)
    }

    /// - Parameters:
    ///   - estimate: the plan's estimated dollars, nil when the model has no price.
    ///   - requests: the review requests the plan holds (verification comes on top).
    ///   - budget: the run's dollar budget (0: none).
    ///   - budgetGiven: `--budget` was on the command line.
    ///   - assumeYes: `--yes`.
    ///   - interactive: standard input and error are a terminal.
    public static func decide(estimate: Double?, requests: Int, model: String, threshold: Double, budget: Double,
                              budgetGiven: Bool, assumeYes: Bool, interactive: Bool) -> Decision {
        if assumeYes { return .proceed }
        let cost: String
        if let estimate {
            if estimate <= threshold { return .proceed }
            cost = String(format: "is estimated at $%.2f", estimate)
        } else {
            cost = "has no price for \(model) in [prices], so its cost cannot be estimated"
        }
        let limit = String(format: "[review] confirm_above_usd = $%.2f", threshold)
        let cap = budget > 0 ? String(format: "; it stops at the budget of $%.2f", budget) : "; no budget caps it"
        let what = "this review of \(requests) request\(requests == 1 ? "" : "s") \(cost)"
        if interactive {
            return .ask("\(what) (above \(limit))\(cap). Go on? [y/N] ")
        }
        if budgetGiven, estimate != nil { return .proceed }
        return .refuse("\(what), above \(limit), and there is no terminal to ask: pass --yes to go ahead, "
            + "or --budget USD to cap the run (reviewbot plan shows the estimate)")
    }

    /// A note when the estimate is above the budget: the run will stop part-way.
    public static func budgetNote(estimate: Double?, budget: Double) -> String? {
        guard let estimate, budget > 0, estimate > budget else { return nil }
        return String(format: "the estimate ($%.2f) is above the run budget ($%.2f): the run stops when the budget is "
            + "used up and lists what it did not review; --budget raises it", estimate, budget)
    }

    /// Whether an answer to `ask` means yes.
    public static func isYes(_ answer: String?) -> Bool {
        guard let answer = answer?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

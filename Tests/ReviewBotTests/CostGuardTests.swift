import Testing
@testable import ReviewBotKit

/// The cost guard: a mailbox of thousands of patches never starts sending on its own.
@Suite struct CostGuardTests {
    func decide(_ estimate: Double?, budgetGiven: Bool = false, yes: Bool = false,
                terminal: Bool = false) -> CostGuard.Decision {
        CostGuard.decide(estimate: estimate, requests: 10_000, model: "m", threshold: 1, budget: 5,
                         budgetGiven: budgetGiven, assumeYes: yes, interactive: terminal)
    }

    @Test func belowTheThresholdItStarts() {
        #expect(decide(0.4) == .proceed)
        #expect(decide(1.0) == .proceed)
    }

    @Test func aboveItATerminalIsAsked() {
        guard case .ask(let question) = decide(131, terminal: true) else { Issue.record("not asked"); return }
        #expect(question.contains("$131.00"))
        #expect(question.contains("10000 requests"))
        #expect(question.hasSuffix("[y/N] "))
        #expect(decide(131, yes: true, terminal: true) == .proceed)
    }

    @Test func offATerminalItRefusesUnlessYesOrABudget() {
        guard case .refuse(let message) = decide(131) else { Issue.record("not refused"); return }
        #expect(message.contains("--yes"))
        #expect(message.contains("--budget"))
        #expect(decide(131, budgetGiven: true) == .proceed)
        #expect(decide(131, yes: true) == .proceed)
    }

    @Test func anUnpricedModelNeedsAnExplicitYes() {
        guard case .refuse(let message) = decide(nil, budgetGiven: true) else { Issue.record("not refused"); return }
        #expect(message.contains("no price for m"))
        #expect(decide(nil, yes: true) == .proceed)
    }

    @Test func answersAndBudgetNotes() {
        #expect(CostGuard.isYes("y") && CostGuard.isYes(" YES ") && !CostGuard.isYes("") && !CostGuard.isYes(nil))
        #expect(CostGuard.budgetNote(estimate: 131, budget: 5)?.contains("stops when the budget is used up") == true)
        #expect(CostGuard.budgetNote(estimate: 1, budget: 5) == nil)
    }
}

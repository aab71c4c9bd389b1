using DistCacheAkka.CacheNode.Cluster;

namespace DistCacheAkka.Tests.Unit.Downing;

// The downing decision: Akka's keep-majority (a crashed node is downed by the majority, a minority downs itself, a tie
// keeps the side with the lowest address, a membership change during a split downs everybody, a real indirect
// connection downs the nodes in the cycle), except that the verdicts of an observer the decider cannot hear from are
// stale and set aside: a healthy node observed unreachable only by a frozen node is not downed with it (Akka's
// resolver downs both: StaleVerdictSpecs).
public class DowningDecisionSpecs
{
    private static DowningMember Up(string node) => new(node, DowningPhase.Up, Counts: true);

    private static UnreachableObservation Sees(string observer, string subject) => new(observer, subject);

    private static readonly DowningMember[] ABC = [Up("a"), Up("b"), Up("c")];

    [Fact]
    public void Should_down_nothing_when_nothing_is_unreachable()
    {
        var outcome = DowningDecision.Decide("a", ABC, []);

        Assert.Equal(DowningKind.None, outcome.Kind);
        Assert.Empty(outcome.Down);
    }

    [Fact]
    public void Should_down_a_crashed_node_from_the_majority()
    {
        var outcome = DowningDecision.Decide("a", ABC, [Sees("a", "c"), Sees("b", "c")]);

        Assert.Equal(DowningKind.DownUnreachable, outcome.Kind);
        Assert.Equal(["c"], outcome.Down);
    }

    [Fact]
    public void Should_down_itself_on_the_minority_side()
    {
        var outcome = DowningDecision.Decide("c", ABC, [Sees("c", "a"), Sees("c", "b")]);

        Assert.Equal(DowningKind.DownReachable, outcome.Kind);
        Assert.Equal(["c"], outcome.Down);
    }

    [Fact]
    public void Should_keep_the_side_with_the_lowest_address_on_a_tie()
    {
        DowningMember[] four = [Up("a"), Up("b"), Up("c"), Up("d")];
        UnreachableObservation[] split = [Sees("a", "c"), Sees("a", "d"), Sees("b", "c"), Sees("b", "d")];

        Assert.Equal(["c", "d"], DowningDecision.Decide("a", four, split).Down.Order());
        Assert.Equal(["c", "d"], DowningDecision.Decide("c", four, [Sees("c", "a"), Sees("c", "b"), Sees("d", "a"), Sees("d", "b")]).Down.Order());
    }

    [Fact]
    public void Should_set_aside_the_stale_verdict_of_a_frozen_observer_and_down_only_it()
    {
        // b observed a unreachable during a's short pause, then froze before gossiping a reachable again; a and c
        // now observe b unreachable. Akka's resolver sees the cycle a <-> b and downs a and b.
        var outcome = DowningDecision.Decide("c", ABC, [Sees("b", "a"), Sees("a", "b"), Sees("c", "b")]);

        Assert.Equal(DowningKind.DownUnreachable, outcome.Kind);
        Assert.Equal(["b"], outcome.Down);
        Assert.Equal(["b"], outcome.Discounted);
    }

    [Fact]
    public void Should_decide_the_same_from_any_node_of_the_healthy_side()
    {
        UnreachableObservation[] verdicts = [Sees("b", "a"), Sees("b", "c"), Sees("a", "b"), Sees("c", "b")];

        Assert.Equal(["b"], DowningDecision.Decide("a", ABC, verdicts).Down);
        Assert.Equal(["b"], DowningDecision.Decide("c", ABC, verdicts).Down);
    }

    [Fact]
    public void Should_down_both_ends_of_a_real_indirect_connection()
    {
        // a and b cannot hear each other, both gossip with c: their verdicts are fresh (they reach c directly).
        var outcome = DowningDecision.Decide("c", ABC, [Sees("a", "b"), Sees("b", "a")]);

        Assert.Equal(DowningKind.DownIndirectlyConnected, outcome.Kind);
        Assert.Equal(["a", "b"], outcome.Down.Order());
        Assert.Empty(outcome.Discounted);
    }

    [Fact]
    public void Should_decide_on_the_others_after_the_indirectly_connected()
    {
        DowningMember[] five = [Up("a"), Up("b"), Up("c"), Up("d"), Up("e")];
        // a <-> b is a real indirect connection; e crashed and everybody sees it.
        UnreachableObservation[] verdicts = [Sees("a", "b"), Sees("b", "a"), Sees("a", "e"), Sees("c", "e"), Sees("d", "e")];

        var outcome = DowningDecision.Decide("c", five, verdicts);

        Assert.Equal(DowningKind.DownIndirectlyConnected, outcome.Kind);
        Assert.Equal(["a", "b", "e"], outcome.Down.Order());
    }

    [Fact]
    public void Should_down_everybody_when_a_joining_member_could_tip_the_other_side()
    {
        // 2 Up here, 1 Up and 1 joining over there: the joining one may be Up on the other side, 2 against 2, and
        // the lowest address is over there.
        DowningMember[] members = [Up("a"), new("b", DowningPhase.Joining, true), Up("c"), Up("d")];
        var outcome = DowningDecision.Decide("c", members, [Sees("c", "a"), Sees("c", "b"), Sees("d", "a"), Sees("d", "b")]);

        Assert.Equal(DowningKind.DownAll, outcome.Kind);
        Assert.Equal(["a", "b", "c", "d"], outcome.Down.Order());
    }

    [Fact]
    public void Should_count_only_members_with_the_role_but_down_any_unreachable_member()
    {
        // Two cache nodes against one: the unreachable non-counted member does not tip the balance, and is downed.
        DowningMember[] members = [Up("a"), Up("b"), Up("c"), new("x", DowningPhase.Up, Counts: false), new("y", DowningPhase.Up, Counts: false)];
        var outcome = DowningDecision.Decide("a", members, [Sees("a", "c"), Sees("a", "x"), Sees("a", "y")]);

        Assert.Equal(DowningKind.DownUnreachable, outcome.Kind);
        Assert.Equal(["c", "x", "y"], outcome.Down.Order());
    }

    [Fact]
    public void Should_ignore_members_already_down_or_exiting()
    {
        DowningMember[] members = [Up("a"), Up("b"), new("c", DowningPhase.Gone, true)];
        var outcome = DowningDecision.Decide("a", members, [Sees("a", "c"), Sees("c", "a")]);

        Assert.Equal(DowningKind.None, outcome.Kind);
        Assert.Empty(outcome.Down);
    }
}

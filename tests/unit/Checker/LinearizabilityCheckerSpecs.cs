using DistCacheAkka.Checker;

namespace DistCacheAkka.Tests.Unit.Checker;

// The linearizability checker on hand-made register histories: it must accept every history some order of the
// operations within their real-time windows explains (concurrent overlaps, indeterminate writes that did or did
// not apply), reject lost writes, stale and non-monotonic reads, and answer Unknown instead of hanging when its
// step budget runs out. Times are plain integers; only their order matters.
public class LinearizabilityCheckerSpecs
{
    private static Operation Write(int process, string value, long invoke, long complete) =>
        new(process, "k", OperationKind.Write, value, invoke, complete, OperationOutcome.Ok);

    private static Operation Read(int process, string? value, long invoke, long complete) =>
        new(process, "k", OperationKind.Read, value, invoke, complete, OperationOutcome.Ok);

    private static Operation LostTrack(int process, string value, long invoke) =>
        new(process, "k", OperationKind.Write, value, invoke, 0, OperationOutcome.Indeterminate);

    private static KeyVerdict Judge(params Operation[] history) =>
        new LinearizabilityChecker().Check(history).Single();

    [Fact]
    public void Should_accept_sequential_writes_and_reads()
    {
        var verdict = Judge(Read(1, null, 0, 1), Write(1, "a", 2, 3), Read(2, "a", 4, 5), Write(2, "b", 6, 7), Read(1, "b", 8, 9));

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_a_lost_write()
    {
        // "b" was acknowledged, then a later read returned the older "a".
        var verdict = Judge(Write(1, "a", 0, 1), Write(1, "b", 2, 3), Read(2, "a", 4, 5));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
        Assert.Contains("Read k=a", verdict.Explanation);
    }

    [Fact]
    public void Should_reject_a_read_of_an_absent_key_after_an_acknowledged_write()
    {
        var verdict = Judge(Write(1, "a", 0, 1), Read(2, null, 2, 3));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_a_stale_read_that_overlaps_nothing()
    {
        // The read starts after "b" completed, so "a" is stale even though "a" was once current.
        var verdict = Judge(Write(1, "a", 0, 1), Read(2, "a", 2, 3), Write(1, "b", 4, 5), Read(2, "a", 6, 7));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_non_monotonic_reads_during_a_concurrent_write()
    {
        // "b" is in flight for the whole window: a reader may see "a" or "b", but once one reader saw "b", a read
        // that starts after that must not see "a" again.
        var verdict = Judge(
            Write(1, "a", 0, 1),
            Write(1, "b", 2, 20),
            Read(2, "b", 3, 4),
            Read(3, "a", 5, 6));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_accept_reads_of_old_and_new_values_while_a_write_is_in_flight()
    {
        var verdict = Judge(
            Write(1, "a", 0, 1),
            Write(1, "b", 2, 20),
            Read(2, "a", 3, 4),
            Read(3, "b", 5, 6),
            Read(2, "b", 7, 8));

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_accept_concurrent_overlapping_writes_in_either_order()
    {
        // a and b overlap; readers after both saw b then nothing else: order a, b.
        Assert.Equal(Linearizability.Linearizable,
            Judge(Write(1, "a", 0, 10), Write(2, "b", 1, 9), Read(3, "b", 11, 12)).Verdict);
        // The same writes, readers saw a: order b, a.
        Assert.Equal(Linearizability.Linearizable,
            Judge(Write(1, "a", 0, 10), Write(2, "b", 1, 9), Read(3, "a", 11, 12)).Verdict);
    }

    [Fact]
    public void Should_reject_two_readers_that_disagree_on_the_order_of_concurrent_writes()
    {
        var verdict = Judge(
            Write(1, "a", 0, 10), Write(2, "b", 1, 9),
            Read(3, "a", 11, 12), Read(4, "b", 13, 14), Read(3, "a", 15, 16));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_accept_an_indeterminate_write_that_applied_later()
    {
        // The client gave up on "b" at some point; a read long afterwards sees it: it took effect late.
        var verdict = Judge(Write(1, "a", 0, 1), LostTrack(1, "b", 2), Read(2, "a", 3, 4), Read(2, "b", 50, 51));

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_accept_an_indeterminate_write_that_never_applied()
    {
        var verdict = Judge(Write(1, "a", 0, 1), LostTrack(1, "b", 2), Read(2, "a", 3, 4), Read(2, "a", 50, 51));

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_an_indeterminate_write_that_applied_and_then_vanished()
    {
        // Once "b" is seen, "a" cannot come back: an indeterminate write applies at most once.
        var verdict = Judge(Write(1, "a", 0, 1), LostTrack(1, "b", 2), Read(2, "b", 3, 4), Read(2, "a", 5, 6));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_an_indeterminate_write_seen_before_it_was_invoked()
    {
        var verdict = Judge(Write(1, "a", 0, 1), Read(2, "b", 2, 3), LostTrack(1, "b", 4));

        Assert.Equal(Linearizability.NotLinearizable, verdict.Verdict);
    }

    [Fact]
    public void Should_reject_a_read_of_a_value_nobody_wrote()
    {
        Assert.Equal(Linearizability.NotLinearizable, Judge(Write(1, "a", 0, 1), Read(2, "z", 2, 3)).Verdict);
    }

    [Fact]
    public void Should_ignore_indeterminate_reads()
    {
        var timedOutRead = new Operation(2, "k", OperationKind.Read, "z", 2, 0, OperationOutcome.Indeterminate);

        Assert.Equal(Linearizability.Linearizable, Judge(Write(1, "a", 0, 1), timedOutRead, Read(3, "a", 4, 5)).Verdict);
    }

    [Fact]
    public void Should_judge_each_key_on_its_own()
    {
        var history = new[]
        {
            Write(1, "a", 0, 1) with { Key = "x" }, Read(2, "a", 2, 3) with { Key = "x" },
            Write(1, "b", 4, 5) with { Key = "y" }, Read(2, null, 6, 7) with { Key = "y" },
        };

        var verdicts = new LinearizabilityChecker().Check(history);

        Assert.Equal(Linearizability.Linearizable, verdicts.Single(v => v.Key == "x").Verdict);
        Assert.Equal(Linearizability.NotLinearizable, verdicts.Single(v => v.Key == "y").Verdict);
    }

    [Fact]
    public void Should_answer_unknown_when_the_step_budget_runs_out()
    {
        // Twenty concurrent indeterminate writes, each read once, then v0 again, which no order explains (a write
        // applies at most once): the search must try a great many orders of the writes before it could reject, so
        // a small budget ends in Unknown rather than a verdict or a hang.
        var history = Enumerable.Range(0, 20).Select(i => LostTrack(i, $"v{i}", i))
            .Concat(Enumerable.Range(0, 20).Select(i => Read(100, $"v{i}", 30 + 2 * i, 31 + 2 * i)))
            .Append(Read(100, "v0", 80, 81))
            .ToArray();

        var verdict = new LinearizabilityChecker(maxStepsPerKey: 1_000).Check(history).Single();

        Assert.Equal(Linearizability.Unknown, verdict.Verdict);
        Assert.True(verdict.Steps > 1_000);
    }

    [Fact]
    public void Should_decide_a_long_history_with_an_early_indeterminate_write_quickly()
    {
        // An indeterminate write nobody read stays pending forever; it must not make every memo entry as long as
        // the history (it is dropped), and a read one is linearized where it was seen.
        var history = Enumerable.Range(0, 20_000)
            .SelectMany(i => new[] { Write(1, $"v{i}", 4L * i + 10, 4L * i + 11), Read(2, $"v{i}", 4L * i + 12, 4L * i + 13) })
            .Prepend(LostTrack(3, "never-read", 0))
            .Prepend(LostTrack(4, "read-late", 1))
            .Append(Write(1, "last", 100_000, 100_001))
            .Append(Read(2, "read-late", 100_002, 100_003))
            .ToArray();

        var verdict = new LinearizabilityChecker(maxStepsPerKey: 2_000_000).Check(history).Single();

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
        Assert.Equal(40_003, verdict.Operations); // the write nobody read is dropped
    }

    [Fact]
    public void Should_decide_a_long_sequential_history_quickly()
    {
        var history = Enumerable.Range(0, 5_000)
            .SelectMany(i => new[] { Write(1, $"v{i}", 4L * i, 4L * i + 1), Read(2, $"v{i}", 4L * i + 2, 4L * i + 3) })
            .ToArray();

        var verdict = new LinearizabilityChecker(maxStepsPerKey: 1_000_000).Check(history).Single();

        Assert.Equal(Linearizability.Linearizable, verdict.Verdict);
    }
}

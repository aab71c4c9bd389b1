using DistCacheAkka.Checker;

namespace DistCacheAkka.Tests.Unit.Checker;

// The durability check: every acknowledged Quorum/Strong write is read back by the key's final read or replaced by
// a write that may take effect after it (invoked later, or still running when it was invoked); anything else is a lost write. Eventual writes are not judged, indeterminate writes are
// never required to survive, and keys without a final read are counted as unchecked rather than passed.
public class DurabilityCheckerSpecs
{
    private static Operation Write(string value, long invoke, string level = "Quorum",
        OperationOutcome outcome = OperationOutcome.Ok, string key = "k") =>
        new(1, key, OperationKind.Write, value, invoke, invoke + 1, outcome, level);

    private static Operation FinalRead(string? value, long invoke = 1_000, string key = "k") =>
        new(9, key, OperationKind.Read, value, invoke, invoke + 1, OperationOutcome.Ok, "Strong", IsFinalRead: true);

    [Fact]
    public void Should_pass_a_write_that_the_final_read_returns()
    {
        var report = DurabilityChecker.Check(new[] { Write("a", 0), FinalRead("a") });

        Assert.True(report.Passed);
        Assert.Equal((1, 1, 0), (report.Acknowledged, report.ReadBack, report.Overwritten));
    }

    [Fact]
    public void Should_pass_a_write_replaced_by_a_later_indeterminate_write()
    {
        var report = DurabilityChecker.Check(new[]
        {
            Write("a", 0, "Strong"), Write("b", 10, "Strong", OperationOutcome.Indeterminate), FinalRead("b"),
        });

        Assert.True(report.Passed);
        Assert.Equal(1, report.Overwritten);
    }

    [Fact]
    public void Should_report_an_acknowledged_write_that_vanished()
    {
        // The final read shows the older value: "b" was acknowledged at Quorum and lost.
        var report = DurabilityChecker.Check(new[] { Write("a", 0), Write("b", 10), FinalRead("a") });

        var lost = Assert.Single(report.Lost);
        Assert.Equal("b", lost.Write.Value);
        Assert.Equal("a", lost.FinalValue);
    }

    [Fact]
    public void Should_pass_a_write_whose_final_value_came_from_a_concurrent_earlier_invoked_write()
    {
        // "a" was invoked first but completed after "b" was invoked: the two overlap, so "a" may take effect after
        // "b" (a linearizable outcome; nemesis run, seed 21). "b" was replaced, not lost.
        var a = new Operation(2, "k", OperationKind.Write, "a", 0, 20, OperationOutcome.Ok, "Strong");
        var report = DurabilityChecker.Check(new[] { a, Write("b", 10, "Strong"), FinalRead("a") });

        Assert.True(report.Passed);
        Assert.Equal((2, 1, 1), (report.Acknowledged, report.ReadBack, report.Overwritten));
    }

    [Fact]
    public void Should_report_a_write_whose_key_reads_back_absent()
    {
        var report = DurabilityChecker.Check(new[] { Write("a", 0, "Strong"), FinalRead(null) });

        Assert.False(report.Passed);
        Assert.Null(Assert.Single(report.Lost).FinalValue);
    }

    [Fact]
    public void Should_not_judge_eventual_or_indeterminate_writes()
    {
        var report = DurabilityChecker.Check(new[]
        {
            Write("a", 0, "Eventual"), Write("b", 10, "Quorum", OperationOutcome.Indeterminate), FinalRead(null),
        });

        Assert.True(report.Passed);
        Assert.Equal(0, report.Acknowledged);
    }

    [Fact]
    public void Should_count_keys_without_a_final_read_as_unchecked()
    {
        var report = DurabilityChecker.Check(new[] { Write("a", 0, key: "x"), FinalRead("z", key: "y") });

        Assert.True(report.Passed);
        Assert.Equal(1, report.Unchecked);
    }
}

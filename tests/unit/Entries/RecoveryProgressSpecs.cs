using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Entries;

// The recovery bookkeeping on its own: a recovery completes only when every node asked sent its last chunk or left the
// membership, answers of another round are ignored, the newest epoch and the nodes that held entries are remembered,
// and the previous primaries tell a failover (gone) from a move (still a member).
public class RecoveryProgressSpecs
{
    private const string Self = "n1";
    private static readonly ReplicaEntry Entry = new("k", [1], new EntryVersion(3, 1), ExpiryKind.None, 0, 0, false);

    private static ShardCopy Copy(long round, string from, bool last, IReadOnlyList<ReplicaEntry>? entries = null, long epoch = 0, string previous = "") =>
        new(7, round, from, epoch, 0, last, entries ?? [], previous);

    [Fact]
    public void Should_complete_only_when_every_node_sent_its_last_chunk()
    {
        var progress = new RecoveryProgress();
        progress.Start(1, [Self, "n2", "n3"]);

        Assert.False(progress.Accept(Copy(1, Self, last: true), _ => false));
        Assert.False(progress.Accept(Copy(1, "n2", last: false, [Entry]), _ => true)); // a first chunk only
        Assert.False(progress.Accept(Copy(1, "n2", last: true), _ => false));
        Assert.Equal(["n3"], progress.Pending);
        Assert.True(progress.Accept(Copy(1, "n3", last: true, epoch: 5), _ => false));
        Assert.Equal((1L, 5L), (progress.RecoveredEntries, progress.MaxEpochSeen));
    }

    [Fact]
    public void Should_ignore_chunks_of_another_round()
    {
        var progress = new RecoveryProgress();
        progress.Start(2, ["n2"]);

        Assert.False(progress.Accept(Copy(1, "n2", last: true, [Entry], epoch: 9), _ => true));
        Assert.Equal((0L, 0L), (progress.RecoveredEntries, progress.MaxEpochSeen));
        Assert.Equal(["n2"], progress.Pending);
    }

    [Fact]
    public void Should_stop_waiting_only_for_nodes_that_left_the_membership()
    {
        var progress = new RecoveryProgress();
        progress.Start(1, ["n2", "n3"]);

        Assert.False(progress.ForgetDeparted(["n1", "n2", "n3"])); // unreachable but members: still owed
        Assert.False(progress.ForgetDeparted(["n1", "n2"]));
        Assert.Equal(["n2"], progress.Pending);
        Assert.True(progress.ForgetDeparted(["n1"]));
    }

    [Fact]
    public void Should_name_stale_holders_and_tell_a_failover_from_a_move()
    {
        var progress = new RecoveryProgress();
        progress.Start(1, [Self, "n2", "n3"]);
        progress.Accept(Copy(1, "n2", last: true, [Entry], previous: "dead"), _ => true);
        progress.Accept(Copy(1, "n3", last: true, [Entry], previous: "n3"), _ => false);

        Assert.Equal(["n3"], progress.StaleHolders(Self, ["n2"]));
        var (gone, movedFrom) = progress.Takeover(Self, [Self, "n2", "n3"]);
        Assert.Equal(["dead"], gone);
        Assert.Null(movedFrom); // a failover is announced as such, not as a move

        var move = new RecoveryProgress();
        move.Start(1, ["n3"]);
        move.Accept(Copy(1, "n3", last: true, [Entry], previous: "n3"), _ => true);
        var (noneGone, from) = move.Takeover(Self, [Self, "n3"]);
        Assert.Empty(noneGone);
        Assert.Equal("n3", from);
    }
}

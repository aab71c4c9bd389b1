using Akka.Actor;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Entries;

// The replica-read counting on its own: a Strong read of R = 3 is ready only with both backups' answers, a backup's
// repeated answer does not count twice, a timeout or a hand-off takes what is left.
public class PendingReadsSpecs
{
    private static PendingRead Strong() =>
        new(["k"], new ReplyTo(ActorRefs.Nobody), () => "ok", _ => "failed", ConsistencyLevel.Strong, required: 3, replicas: 3);

    [Fact]
    public void Should_be_ready_only_with_the_required_answers_each_counted_once()
    {
        var reads = new PendingReads();
        reads.Add(1, Strong());

        Assert.Null(reads.Answer(1, "b", []));
        Assert.Null(reads.Answer(1, "b", [])); // B again: still 2 of 3
        var ready = reads.Answer(1, "c", []);

        Assert.NotNull(ready);
        Assert.Equal(3, ready.Copies);
        Assert.Equal(0, reads.Count);
        Assert.Null(reads.Answer(1, "d", [])); // answered already
    }

    [Fact]
    public void Should_hand_back_expired_and_drained_reads()
    {
        var reads = new PendingReads();
        reads.Add(1, Strong());
        reads.Add(2, Strong());
        reads.Answer(1, "b", []);

        Assert.Equal(2, reads.Expire(1)!.Copies);
        Assert.Null(reads.Expire(1));
        Assert.Single(reads.Drain());
        Assert.Equal(0, reads.Count);
    }
}

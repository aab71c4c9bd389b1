using Akka.Actor;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Entries;

// The acknowledgement counting of replicated writes on its own: a Quorum write of R = 3 is answered at the second
// copy and complete at the third, a backup counts once however often it acknowledges, unknown or finished batches are
// ignored, and a timeout takes the write out.
public class PendingWritesSpecs
{
    private static PendingWrite Quorum() => new([], new ReplyTo(ActorRefs.Nobody), "ok", null, ConsistencyLevel.Quorum, required: 2, replicas: 3);

    [Fact]
    public void Should_answer_once_at_the_required_copies_and_complete_at_every_replica()
    {
        var writes = new PendingWrites();
        writes.Add(1, Quorum());

        var first = writes.Acknowledge(1, "b");
        var repeated = writes.Acknowledge(1, "b");
        var second = writes.Acknowledge(1, "c");

        Assert.Equal((true, false), (first.ReplyNow, first.Complete));
        Assert.Null(repeated.Write); // B counted once
        Assert.Equal((false, true), (second.ReplyNow, second.Complete));
        Assert.Equal(0, writes.Count);
        Assert.Null(writes.Acknowledge(1, "d").Write); // finished: ignored
    }

    [Fact]
    public void Should_take_an_expired_write_out_with_its_copies_so_far()
    {
        var writes = new PendingWrites();
        writes.Add(7, new PendingWrite([], new ReplyTo(ActorRefs.Nobody), "ok", _ => "failed", ConsistencyLevel.Strong, required: 3, replicas: 3));
        writes.Acknowledge(7, "b");

        var expired = writes.Expire(7);

        Assert.NotNull(expired);
        Assert.Equal((2, false), (expired.Copies, expired.Replied));
        Assert.Null(writes.Expire(7));
        Assert.Equal(0, writes.Count);
    }
}

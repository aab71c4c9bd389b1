using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Client;

// The bookkeeping of request coalescing without Akka: commands buffer per destination and leave together, every
// command gets its own correlation id so each reply finds its caller, a window of unanswered envelopes per
// destination makes commands wait and batch up under load, and nothing is kept forever (full buffers leave, stalled
// windows reopen, unanswered commands expire).
public class RequestCoalescerSpecs
{
    private sealed class Caller(string name)
    {
        public override string ToString() => name;
    }

    [Fact]
    public void Should_seal_buffered_commands_into_one_envelope_and_give_each_reply_to_its_own_caller()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 1);
        var callers = Enumerable.Range(0, 3).Select(i => new Caller($"c{i}")).ToArray();
        IWithCacheKey[] commands = [new Get("a"), new Set("b", [1], CacheExpiry.Never), new Remove("c")];
        for (var i = 0; i < 3; i++)
            Assert.False(coalescer.Add("node-1", commands[i], callers[i]));

        var envelope = coalescer.Seal("node-1", deadline: 100);

        Assert.Equal(commands, envelope.Select(c => c.Command));
        Assert.Equal(3, envelope.Select(c => c.Id).Distinct().Count());
        Assert.Equal(3, coalescer.PendingCount);
        Assert.Empty(coalescer.Destinations);
        // Replies come back in any order; each goes to the caller of its id, once.
        Assert.Same(callers[2], coalescer.Complete(envelope[2].Id));
        Assert.Same(callers[0], coalescer.Complete(envelope[0].Id));
        Assert.Null(coalescer.Complete(envelope[0].Id));
        Assert.Same(callers[1], coalescer.Complete(envelope[1].Id));
        Assert.Equal(0, coalescer.PendingCount);
    }

    [Fact]
    public void Should_keep_destinations_apart_and_report_a_full_buffer()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 2, maxInFlight: 1);
        var caller = new Caller("c");

        Assert.False(coalescer.Add("node-1", new Get("a"), caller));
        Assert.False(coalescer.Add("node-2", new Get("b"), caller));
        Assert.True(coalescer.Add("node-1", new Get("c"), caller));

        Assert.Equal(["a", "c"], coalescer.Seal("node-1", 100).Select(c => ((IWithCacheKey)c.Command).Key));
        Assert.Equal(["b"], coalescer.Seal("node-2", 100).Select(c => ((IWithCacheKey)c.Command).Key));
    }

    [Fact]
    public void Should_hold_commands_while_the_window_is_full_and_release_them_on_a_reply()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 1);
        var caller = new Caller("c");
        coalescer.Add("node-1", new Get("first"), caller);
        Assert.Equal(["node-1"], coalescer.Ready());
        coalescer.Seal("node-1", 100);

        for (var i = 0; i < 5; i++)
            coalescer.Add("node-1", new Get($"k{i}"), caller);

        Assert.Empty(coalescer.Ready()); // one envelope unanswered: the five wait
        Assert.True(coalescer.Answered("node-1"));
        Assert.Equal(["node-1"], coalescer.Ready());
        Assert.Equal(5, coalescer.Seal("node-1", 100).Length);
    }

    [Fact]
    public void Should_reopen_a_window_that_heard_nothing_for_a_whole_period()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 1);
        var caller = new Caller("c");
        coalescer.Add("node-1", new Get("lost"), caller);
        coalescer.Seal("node-1", 100);
        coalescer.Add("node-1", new Get("waiting"), caller);

        Assert.True(coalescer.ReopenStalledWindows()); // the first period: nothing heard yet, reopened
        Assert.Equal(["node-1"], coalescer.Ready());

        coalescer.Seal("node-1", 100);
        coalescer.Answered("node-1");
        coalescer.Add("node-1", new Get("next"), caller);
        coalescer.Seal("node-1", 100);
        Assert.False(coalescer.ReopenStalledWindows()); // heard from during this period: the window stays as it is
        coalescer.Add("node-1", new Get("later"), caller);
        Assert.Empty(coalescer.Ready());
    }

    [Fact]
    public void Should_send_a_lone_command_in_an_envelope_of_one_matched_by_id_only()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 1);
        var first = new Caller("first");
        coalescer.Add("node-1", new Set("k", [1], CacheExpiry.Never), first);
        var sent = Assert.Single(coalescer.Seal("node-1", deadline: 100));

        // Another caller of the same key: its command gets its own id, so the first reply cannot reach it.
        var second = new Caller("second");
        coalescer.Answered("node-1");
        coalescer.Add("node-1", new Get("k"), second);
        var later = Assert.Single(coalescer.Seal("node-1", deadline: 100));

        Assert.NotEqual(sent.Id, later.Id);
        Assert.Same(first, coalescer.Complete(sent.Id));
        Assert.Same(second, coalescer.Complete(later.Id));
    }

    [Fact]
    public void Should_forget_unanswered_commands_at_their_deadline()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 4);
        var caller = new Caller("c");
        coalescer.Add("node-1", new Get("early"), caller);
        var early = coalescer.Seal("node-1", deadline: 10);
        coalescer.Add("node-1", new Get("late"), caller);
        var late = coalescer.Seal("node-1", deadline: 20);

        Assert.Equal(1, coalescer.Expire(now: 15));

        Assert.Null(coalescer.Complete(early[0].Id));
        Assert.Same(caller, coalescer.Complete(late[0].Id));
    }

    [Fact]
    public void Should_hand_back_the_buffered_commands_of_a_dropped_destination()
    {
        var coalescer = new RequestCoalescer<string, Caller>(maxBatch: 100, maxInFlight: 1);
        var caller = new Caller("c");
        coalescer.Add("node-1", new Get("a"), caller);
        coalescer.Add("node-1", new Remove("b"), caller);

        var lone = new Caller("lone");
        coalescer.Add("node-2", new Get("lone"), lone);
        var inFlight = Assert.Single(coalescer.Seal("node-2", deadline: 100));

        var dropped = coalescer.Drop("node-1");
        coalescer.Drop("node-2");

        // A late reply of a dropped node still reaches its own caller, by id, until the deadline; then nobody.
        Assert.Same(lone, coalescer.Complete(inFlight.Id));
        Assert.Equal(["a", "b"], dropped.Select(d => ((IWithCacheKey)d.Command).Key));
        Assert.All(dropped, d => Assert.Same(caller, d.Caller));
        Assert.Empty(coalescer.Destinations);
        Assert.Empty(coalescer.Drop("node-1"));
    }
}

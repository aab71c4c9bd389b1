using System.Reflection;
using Akka.Cluster.Sharding;
using DistCacheAkka.CacheNode.Cluster;

namespace DistCacheAkka.Tests.Unit.Sharding;

// The warm-up asks its region to start shards through a StartWindow: at most Size unacknowledged at a time, the next
// one let in per acknowledgement, a later round replacing an earlier one. And it reads Akka's (internal) start
// acknowledgement by name: if an Akka.Cluster.Sharding upgrade renames it, StartEntityAcks_should_read_a_real_ack
// fails here instead of the warm-up silently slowing to one window per retry interval.
public class StartWindowSpecs
{
    [Fact]
    public void Should_keep_at_most_its_size_outstanding_and_let_one_in_per_acknowledgement()
    {
        var window = new StartWindow(3);
        window.Reset(["0", "1", "2", "3", "4"]);

        Assert.Equal(["0", "1", "2"], window.Next());
        Assert.Empty(window.Next());
        Assert.True(window.Acknowledge("1"));
        Assert.Equal(["3"], window.Next());
        Assert.False(window.Acknowledge("1")); // a duplicate acknowledgement lets nothing more in
        Assert.Empty(window.Next());
        Assert.True(window.Acknowledge("0"));
        Assert.True(window.Acknowledge("2"));
        Assert.Equal(["4"], window.Next());
        Assert.False(window.Idle);
        Assert.True(window.Acknowledge("3"));
        Assert.True(window.Acknowledge("4"));
        Assert.True(window.Idle);
    }

    [Fact]
    public void Should_forget_an_earlier_round_on_reset()
    {
        var window = new StartWindow(2);
        window.Reset(["0", "1", "2"]);
        Assert.Equal(["0", "1"], window.Next());

        window.Reset(["1", "7"]);
        Assert.False(window.Acknowledge("0")); // asked in the earlier round only
        Assert.Equal(["1", "7"], window.Next());
        Assert.True(window.Acknowledge("7"));
        Assert.Empty(window.Next());
    }

    [Fact]
    public void Should_ask_each_shard_once_per_round()
    {
        var window = new StartWindow(4);
        window.Reset(["5", "5", "6"]);
        Assert.Equal(["5", "6"], window.Next());
    }

    [Fact]
    public void Should_refuse_an_empty_window() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new StartWindow(0));

    [Fact]
    public void StartEntityAcks_should_read_a_real_ack()
    {
        var ackType = StartEntityAcks.AckType;
        Assert.NotNull(ackType);
        var constructor = ackType.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(string), typeof(string)]);
        Assert.NotNull(constructor);
        var ack = constructor.Invoke(["entity-17", "17"]);

        Assert.True(StartEntityAcks.IsAck(ack));
        Assert.True(StartEntityAcks.TryRead(ack, out var shardId));
        Assert.Equal("17", shardId);
        Assert.False(StartEntityAcks.TryRead(new ShardRegion.StartEntity("17"), out _));
    }
}

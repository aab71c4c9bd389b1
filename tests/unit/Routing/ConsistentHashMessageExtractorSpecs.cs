using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Routing;

namespace DistCacheAkka.Tests.Unit.Routing;

// Verifies the sharding message extractor: a keyed command goes to the entity (= shard) that the resolver picks for
// its key, a batch goes to the shard it names, and the shard id can be recomputed from the entity id alone (which
// remember-entities and StartEntity rely on). Anything else must not be routed.
public class ConsistentHashMessageExtractorSpecs
{
    private static readonly ShardResolver Resolver = new(1024);
    private readonly ConsistentHashMessageExtractor _extractor = new(Resolver);

    private static readonly string[] Keys = ["a", "user:42", "ключ", "日本語", "😀", new string('x', 1024)];

    public static TheoryData<string> KeyData() => new(Keys);

    private static IEnumerable<IWithCacheKey> KeyedMessages(string key) =>
    [
        new Get(key),
        new Get(key, ConsistencyLevel.Strong),
        new Set(key, [1, 2, 3], CacheExpiry.Never),
        new Set(key, [], CacheExpiry.After(TimeSpan.FromSeconds(5)), ConsistencyLevel.Quorum),
        new Remove(key),
        new Remove(key, ConsistencyLevel.Strong),
    ];

#pragma warning disable CS0618 // ShardId(object) is obsolete in Akka but still part of IMessageExtractor
    private string? ShardIdOf(object message) => _extractor.ShardId(message);
#pragma warning restore CS0618

    [Theory]
    [MemberData(nameof(KeyData))]
    public void Should_route_Get_Set_and_Remove_to_the_resolvers_shard_of_the_key(string key)
    {
        var expected = Resolver.IdOf(Resolver.ShardOf(key));
        foreach (var message in KeyedMessages(key))
        {
            var entityId = _extractor.EntityId(message);
            Assert.Equal(expected, entityId);
            Assert.Equal(_extractor.ShardId(entityId!), ShardIdOf(message));
            Assert.Equal(_extractor.ShardId(entityId!, message), ShardIdOf(message));
        }
    }

    [Fact]
    public void Should_route_different_keys_to_different_shards()
    {
        var shards = Enumerable.Range(0, 200).Select(i => _extractor.EntityId(new Get($"k{i}"))).Distinct().Count();
        Assert.True(shards > 150, $"200 keys landed on only {shards} shards");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(517)]
    [InlineData(1023)]
    public void Should_route_GetMany_and_SetMany_to_the_shard_they_name(int shard)
    {
        object[] batches =
        [
            new GetMany(shard, ["a", "b"]),
            new SetMany(shard, [new KeyValue("a", [1])], CacheExpiry.Never, ConsistencyLevel.Strong),
        ];

        foreach (var batch in batches)
        {
            var entityId = _extractor.EntityId(batch);
            Assert.Equal(Resolver.IdOf(shard), entityId);
            Assert.Equal(shard.ToString(System.Globalization.CultureInfo.InvariantCulture), entityId);
            Assert.Equal(_extractor.ShardId(entityId!), ShardIdOf(batch));
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Should_not_route_a_batch_with_an_out_of_range_shard_id(int shard)
    {
        Assert.Null(_extractor.EntityId(new GetMany(shard, ["a"])));
        Assert.Null(_extractor.EntityId(new SetMany(shard, [], CacheExpiry.Never)));
        Assert.Null(ShardIdOf(new GetMany(shard, ["a"])));
    }

    [Fact]
    public void Should_not_route_unknown_messages()
    {
        foreach (var message in new object[] { "user:42", 42, GetCacheStats.Instance, new NotFound("a"), new GetManyFailure(1, [], CacheError.Invalid("x")) })
        {
            Assert.Null(_extractor.EntityId(message));
            Assert.Null(ShardIdOf(message));
        }
    }

    [Fact]
    public void Should_deliver_the_message_itself_to_the_entity()
    {
        var set = new Set("k", [9], CacheExpiry.Never);
        var batch = new GetMany(3, ["k"]);
        Assert.Same(set, _extractor.EntityMessage(set));
        Assert.Same(batch, _extractor.EntityMessage(batch));
    }

    [Fact]
    public void Should_use_the_entity_id_as_the_shard_id()
    {
        for (var shard = 0; shard < Resolver.Shards; shard += 37)
            Assert.Equal(Resolver.IdOf(shard), _extractor.ShardId(Resolver.IdOf(shard)));
        Assert.Same(Resolver, _extractor.Resolver);
    }

    [Fact]
    public void Should_route_with_the_resolvers_shard_count_and_algorithm()
    {
        var small = new ConsistentHashMessageExtractor(new ShardResolver(7, KeyHashAlgorithm.Sha256));
        foreach (var key in Keys)
        {
            var expected = new ShardResolver(7, KeyHashAlgorithm.Sha256).ShardOf(key);
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), small.EntityId(new Get(key)));
        }

        Assert.Null(small.EntityId(new GetMany(7, ["a"])));
    }
}

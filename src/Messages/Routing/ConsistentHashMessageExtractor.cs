using Akka.Cluster.Sharding;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Messages.Routing;

/// <summary>
/// Routes cache commands to shards by consistent hashing: key → XxHash64 → Jump Consistent Hash → shard id.
/// One EntryActor per shard, so the entity id is the shard id and <see cref="ShardId(string, object?)"/> works
/// from the entity id alone (as remember-entities, StartEntity and GetEntityLocation require).
/// <see cref="ShardingEnvelope"/> and <see cref="ShardRegion.StartEntity"/> are handled by the region itself
/// (analyzer rule AK2001 forbids matching them here); StartEntity carries the entity id, which is the shard id.
/// </summary>
public sealed class ConsistentHashMessageExtractor(ShardResolver resolver) : IMessageExtractor
{
    public ShardResolver Resolver { get; } = resolver;

    public string? EntityId(object message) => message switch
    {
        IWithCacheKey keyed => Resolver.IdOf(Resolver.ShardOf(keyed.Key)),
        IWithShardId sharded when sharded.ShardId >= 0 && sharded.ShardId < Resolver.Shards => Resolver.IdOf(sharded.ShardId),
        _ => null,
    };

    public object? EntityMessage(object message) => message;

#pragma warning disable CS0618 // still an interface member; ShardRegion calls the (entityId, hint) overload
    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id, message) : null;
#pragma warning restore CS0618

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}

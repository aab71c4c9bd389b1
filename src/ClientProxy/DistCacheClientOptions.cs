using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy;

/// <summary>How a client connects to a DistCacheAkka cluster.</summary>
public sealed record DistCacheClientOptions
{
    /// <summary>"host:port" of data nodes to contact first, seeds or workers: any one that answers reports all the others.
    /// At least one. The client never joins the cluster.</summary>
    public required IReadOnlyList<string> SeedNodes { get; init; }

    /// <summary>Consistency of calls that do not name one. Default Quorum.</summary>
    public ConsistencyLevel DefaultConsistency { get; init; } = ConsistencyLevel.Quorum;

    /// <summary>How long a single request may take before it fails with <see cref="DistCacheTimeoutException"/>. Default 5 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a single-key request refused with <c>Unavailable</c> (nothing was applied: its shard was handing off or
    /// recovering, its node was on the minority side of a partition, or no node was reachable) is sent again after a
    /// short backoff while <see cref="RequestTimeout"/> allows. Default true; batches are never retried.
    /// </summary>
    public bool RetryUnavailable { get; init; } = true;

    /// <summary>How long <see cref="DistCacheClient.ConnectAsync"/> waits until a data node answers. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Address the client's own ActorSystem binds to; it must be reachable from the nodes. Default 127.0.0.1.</summary>
    public string ClientHost { get; init; } = "127.0.0.1";

    /// <summary>Port of the client's ActorSystem; 0 picks a free one. Default 0.</summary>
    public int ClientPort { get; init; }

    /// <summary>How typed values become bytes. Default System.Text.Json.</summary>
    public IValueSerializer ValueSerializer { get; init; } = JsonValueSerializer.Default;

    /// <summary>
    /// The cluster's distcache.* settings the client must agree with (shard count, hash algorithm, limits).
    /// Default: reference.conf. A mismatch is detected by the nodes and reported as a WrongShard error.
    /// </summary>
    public DistCacheSettings ClusterSettings { get; init; } = DistCacheSettings.Default;

    /// <summary>The near cache for Eventual reads (see <see cref="NearCacheOptions"/>). Null (the default): off.</summary>
    public NearCacheOptions? NearCache { get; init; }

    /// <summary>Mutual TLS to the data nodes (see <see cref="DistCacheTlsOptions"/>). Null (the default): plaintext,
    /// which a cluster with TLS on refuses.</summary>
    public DistCacheTlsOptions? Tls { get; init; }

    /// <summary>
    /// Whether requests to a data node go over its data plane (one TCP connection per node carrying the coalesced
    /// requests and replies, bypassing Akka remoting; README, "The data plane") when the node advertises one. Default
    /// true. False: Akka remoting only. With <see cref="Tls"/> set the connection speaks mutual TLS with that
    /// certificate. A node whose connection fails (or refuses the handshake) is served over remoting until it reconnects.
    /// </summary>
    public bool UseDataPlane { get; init; } = true;

    /// <summary>Extra HOCON for the client's ActorSystem (highest priority), e.g. logging or transport tuning. It
    /// cannot change the cluster's behaviour: the client is not a member.</summary>
    public string? ExtraHocon { get; init; }
}

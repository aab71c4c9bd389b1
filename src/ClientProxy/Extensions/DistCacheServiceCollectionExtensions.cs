using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Extensions;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a DistCacheAkka client and the .NET caching abstractions over it.</summary>
public static class DistCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons, the <see cref="IDistCacheClient"/> of a cluster, and <see cref="IDistributedCache"/>
    /// and <see cref="IBufferDistributedCache"/> over it (<see cref="DistCacheDistributedCache"/>, replacing a cache
    /// registered before), plus the <see cref="DistCacheClientOptions"/>. A hosted service connects the client when the
    /// host starts (the start fails with <see cref="DistCacheConnectionException"/> if no data node answers within
    /// <see cref="DistCacheClientOptions.ConnectTimeout"/>) and disposes it when the host stops. The client can be
    /// resolved and used before that: its first call starts the connection and every call waits for it.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (no seeds, a malformed seed, a non-positive timeout,
    /// bad near-cache settings): thrown here, naming the option.</exception>
    /// <exception cref="InvalidOperationException">AddDistCache was already called on <paramref name="services"/>.</exception>
    public static IServiceCollection AddDistCache(this IServiceCollection services, DistCacheClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        DistCacheClient.ValidateOptions(options);
        return services.AddDistCache(_ => options);
    }

    /// <summary>
    /// As <see cref="AddDistCache(IServiceCollection, DistCacheClientOptions)"/>, with options built from the
    /// application's services (configuration, secrets) when the client is first resolved; invalid options then throw
    /// <see cref="ArgumentException"/> at that resolution.
    /// </summary>
    public static IServiceCollection AddDistCache(this IServiceCollection services, Func<IServiceProvider, DistCacheClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (services.Any(d => d.ServiceType == typeof(DeferredDistCacheClient)))
            throw new InvalidOperationException("AddDistCache was already called on this service collection; one DistCacheAkka client per container.");

        services.AddSingleton(provider =>
        {
            var built = options(provider) ?? throw new InvalidOperationException("The AddDistCache options factory returned null.");
            DistCacheClient.ValidateOptions(built);
            return built;
        });
        services.AddSingleton(provider =>
        {
            var resolved = provider.GetRequiredService<DistCacheClientOptions>();
            return new DeferredDistCacheClient(_ => DistCacheClient.ConnectAsync(resolved));
        });
        services.AddSingleton<IDistCacheClient>(provider => provider.GetRequiredService<DeferredDistCacheClient>());
        services.AddSingleton(provider => new DistCacheDistributedCache(
            provider.GetRequiredService<IDistCacheClient>(), provider.GetRequiredService<DistCacheClientOptions>()));
        services.RemoveAll<IDistributedCache>();
        services.RemoveAll<IBufferDistributedCache>();
        services.AddSingleton<IDistributedCache>(provider => provider.GetRequiredService<DistCacheDistributedCache>());
        services.AddSingleton<IBufferDistributedCache>(provider => provider.GetRequiredService<DistCacheDistributedCache>());
        services.AddSingleton<IHostedService, DistCacheConnectionService>();
        return services;
    }
}

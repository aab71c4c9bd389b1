namespace DistCacheAkka.ClientProxy;

/// <summary>
/// Mutual TLS for a client's connections to the data nodes (issue 16): the client presents
/// <see cref="CertificatePath"/> and accepts only nodes whose certificates chain to <see cref="CaCertificatePath"/>;
/// the nodes, configured with the same CA (<c>distcache.tls</c>), accept only clients that present such a certificate.
/// A cluster with TLS on refuses plaintext clients, and a client with TLS on cannot talk to a plaintext cluster.
/// <c>CacheNode dev-certs --out DIR</c> makes a development CA with node and client certificates.
/// </summary>
public sealed record DistCacheTlsOptions
{
    /// <summary>This client's certificate with its private key, as a PKCS#12 file (.pfx/.p12). Required.</summary>
    public required string CertificatePath { get; init; }

    /// <summary>The PKCS#12 file's password; null or empty for none.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>The CA that signs the cluster's certificates (PEM or DER). Only certificates that chain to it are
    /// accepted. Null: the operating system's trust store, as for any TLS server.</summary>
    public string? CaCertificatePath { get; init; }
}

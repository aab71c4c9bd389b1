using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.ClientProxy.Security;

/// <summary>
/// A member's TLS identity, loaded and checked once at startup: its certificate with a usable private key, and the
/// validation every peer's certificate must pass (mutual: nodes and clients check each other). Every problem is a
/// <see cref="DistCacheConfigurationException"/> that names the setting and the file, so a misconfigured member
/// refuses to start instead of failing every handshake later.
/// </summary>
internal sealed record TlsMaterial(X509Certificate2 Certificate, X509Certificate2? Ca)
{
    /// <summary>Loads <paramref name="certificatePath"/> (PKCS#12) and the optional CA; <paramref name="setting"/>
    /// prefixes the names in messages (e.g. "distcache.tls" or "DistCacheClientOptions.Tls").</summary>
    public static TlsMaterial Load(string setting, string? certificatePath, string? password, string? caPath, string certificateKey = "certificate-path", string caKey = "ca-certificate-path")
    {
        if (string.IsNullOrWhiteSpace(certificatePath))
            throw new DistCacheConfigurationException($"TLS is on but `{setting}.{certificateKey}` is empty; name a PKCS#12 (.pfx) file with this member's certificate and private key.");
        if (!File.Exists(certificatePath))
            throw new DistCacheConfigurationException($"`{setting}.{certificateKey}` names \"{certificatePath}\", which does not exist.");

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, string.IsNullOrEmpty(password) ? null : password,
                X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new DistCacheConfigurationException(
                $"`{setting}.{certificateKey}` \"{certificatePath}\" cannot be read as a PKCS#12 file with the configured password: {e.Message}");
        }
        catch (IOException e)
        {
            throw new DistCacheConfigurationException($"`{setting}.{certificateKey}` \"{certificatePath}\" cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DistCacheConfigurationException($"`{setting}.{certificateKey}` \"{certificatePath}\" cannot be read: {e.Message}");
        }

        if (!certificate.HasPrivateKey)
            throw new DistCacheConfigurationException(
                $"`{setting}.{certificateKey}` \"{certificatePath}\" holds a certificate without its private key; mutual TLS needs both (export the .pfx with the key).");
        if (certificate.NotAfter < DateTime.Now)
            throw new DistCacheConfigurationException($"`{setting}.{certificateKey}` \"{certificatePath}\" expired on {certificate.NotAfter:u}.");

        X509Certificate2? ca = null;
        if (!string.IsNullOrWhiteSpace(caPath))
        {
            if (!File.Exists(caPath))
                throw new DistCacheConfigurationException($"`{setting}.{caKey}` names \"{caPath}\", which does not exist.");
            try
            {
                ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
            }
            catch (CryptographicException e)
            {
                throw new DistCacheConfigurationException($"`{setting}.{caKey}` \"{caPath}\" is not a certificate (PEM or DER): {e.Message}");
            }

            if (!Chains(certificate, ca, out var why))
                throw new DistCacheConfigurationException(
                    $"`{setting}.{certificateKey}` \"{certificatePath}\" is not signed by the CA in `{setting}.{caKey}` \"{caPath}\": {why}. Peers would refuse it.");
        }

        return new TlsMaterial(certificate, ca);
    }

    /// <summary>The node's identity under <c>distcache.tls</c> (<paramref name="distcache"/> is the <c>distcache</c>
    /// block), or null when <c>distcache.tls.enabled</c> is off: the one reading of those keys, for remoting and the
    /// data plane alike.</summary>
    public static TlsMaterial? FromNodeConfig(Akka.Configuration.Config distcache) =>
        distcache.GetBoolean("tls.enabled", false)
            ? Load("distcache.tls", distcache.GetString("tls.certificate-path"), distcache.GetString("tls.certificate-password"),
                distcache.GetString("tls.ca-certificate-path"))
            : null;

    /// <summary>The transport setup: this member's certificate, the peer's certificate required (mutual TLS), host
    /// names not checked, and <see cref="Validator"/>.</summary>
    public DotNettySslSetup Setup() =>
        Validator() is { } validator
            ? new DotNettySslSetup(Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false, validator)
            : new DotNettySslSetup(Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false);

    /// <summary>
    /// The check of a peer's certificate: with a configured CA, the certificate must chain to exactly that CA (the
    /// system's trust store is not consulted, so a certificate from any other CA is refused); without one, the
    /// transport's own validation against the system trust store applies (null). Host names are not checked: the
    /// members of a cluster are identified by their CA, and their addresses change.
    /// </summary>
    public CertificateValidationCallback? Validator() => Ca is null ? null : Validate;

    private bool Validate(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (certificate is null)
        {
            log.Warning("TLS: refused {0}: it presented no certificate (mutual TLS requires one).", remotePeer);
            return false;
        }

        if (Chains(certificate, Ca!, out var why))
            return true;
        log.Warning("TLS: refused {0}: its certificate \"{1}\" (issuer \"{2}\") does not chain to this cluster's CA \"{3}\": {4}.",
            remotePeer, certificate.Subject, certificate.Issuer, Ca!.Subject, why);
        return false;
    }

    /// <summary>The data plane's server side (a node): this member's certificate, a client certificate required and
    /// checked as <see cref="Setup"/> checks it (the CA alone, or the system trust store; host names not checked);
    /// <paramref name="refused"/> hears why a client's certificate was refused (the handshake's own error does not say).</summary>
    public SslServerAuthenticationOptions ServerOptions(Action<string>? refused = null) => new()
    {
        ServerCertificate = Certificate,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (Accepts(certificate, errors, out var why))
                return true;
            refused?.Invoke(why);
            return false;
        },
    };

    /// <summary>The data plane's client side: this member's certificate offered, the node's checked as the node checks
    /// the client's.</summary>
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = "distcache", // not checked: members are identified by their CA
        ClientCertificates = new X509CertificateCollection { Certificate },
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, errors) => Accepts(certificate, errors, out _),
        LocalCertificateSelectionCallback = (_, _, _, _, _) => Certificate,
    };

    /// <summary>The data plane's check of a peer's certificate: the same rule as <see cref="Validator"/>;
    /// <paramref name="why"/> names the reason of a refusal.</summary>
    public bool Accepts(X509Certificate? certificate, SslPolicyErrors errors, out string why)
    {
        if (certificate is null)
        {
            why = "it presented no certificate (mutual TLS requires one)";
            return false;
        }

        if (Ca is not null)
        {
            var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (Chains(presented, Ca, out var chain))
            {
                why = "";
                return true;
            }

            why = $"its certificate \"{presented.Subject}\" (issuer \"{presented.Issuer}\") does not chain to this cluster's CA \"{Ca.Subject}\": {chain}";
            return false;
        }

        var remaining = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
        why = remaining == SslPolicyErrors.None ? "" : $"its certificate fails the system trust store ({remaining})";
        return remaining == SslPolicyErrors.None;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> alone (custom root trust, no revocation
    /// checks: a development or private CA publishes no revocation lists).</summary>
    public static bool Chains(X509Certificate2 certificate, X509Certificate2 ca, out string why)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        var ok = chain.Build(certificate);
        why = ok ? "" : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("untrusted chain"));
        return ok;
    }
}

using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Database;

/// <summary>One throwaway PostgreSQL cluster per test class; each test takes a fresh database of it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("the cluster did not start");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

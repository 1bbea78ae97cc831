using AmebaOta.Fleet.History;
using Npgsql;

namespace AmebaOta.Tests.Database;

public class DatabaseLocationTests
{
    [Theory]
    [InlineData("postgres://ameba:s3cret@db.example:6543/fleet?sslmode=require", "db.example", 6543, "fleet", "ameba", "s3cret")]
    [InlineData("postgresql://ameba@%2Frun%2Fpostgresql/fleet", "/run/postgresql", 5432, "fleet", "ameba", null)]
    [InlineData("postgres:///fleet?host=/tmp/pg&user=viewer", "/tmp/pg", 5432, "fleet", "viewer", null)]
    [InlineData("postgres://u@[::1]:5433/f", "::1", 5433, "f", "u", null)]
    [InlineData("Host=db;Username=ameba;Database=fleet;Password=x", "db", 5432, "fleet", "ameba", "x")]
    public void PostgreSQL_URLs_and_connection_strings_become_Npgsql_settings(string text, string host, int port, string database, string user, string? password)
    {
        var location = DatabaseLocation.Parse(text);
        Assert.Equal(DatabaseEngine.Postgres, location.Engine);
        var b = new NpgsqlConnectionStringBuilder(location.Target);
        Assert.Equal((host, port, database, user, password), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.DoesNotContain("s3cret", location.Display);
        Assert.DoesNotContain("Password", location.Display);
    }

    [Fact]
    public void Anything_else_is_a_SQLite_file_path()
    {
        var location = DatabaseLocation.Parse("fleet.db");
        Assert.Equal(DatabaseEngine.Sqlite, location.Engine);
        Assert.Equal(Path.GetFullPath("fleet.db"), location.Target);
    }

    [Theory]
    [InlineData("postgres://u@host:99999/db", "port")]
    [InlineData("postgres://u@host/db?colour=blue", "colour")]
    [InlineData("postgres://u:pw@[::1/db", "']'")]
    public void A_bad_URL_is_refused_in_one_sentence_without_its_password(string text, string named)
    {
        var e = Assert.Throws<FormatException>(() => DatabaseLocation.Parse(text));
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain(":pw@", e.Message);
    }
}

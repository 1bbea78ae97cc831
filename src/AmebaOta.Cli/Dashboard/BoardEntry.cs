namespace AmebaOta.Cli.Dashboard;

/// <summary>One row of the board list, changed only under <see cref="DashboardState"/>'s lock.</summary>
internal sealed class BoardEntry(string name)
{
    public string Name { get; } = name;
    public string? Address;
    public int? Port;
    public string? Host;
    public string? BoardId;
    public string? Family;
    public bool Online;
    public bool Virtual;
    public DateTimeOffset? FirstSeen;
    public DateTimeOffset? LastSeen;
    public BoardImageJson? Last;
    public BoardImageJson? Believed;
    public BoardUpdateJson? Update;
    public string? Site;
    public string? OtaUi;
    public string? OtaUiNote;
    public bool SiteOnline;
    public Sites.BoardJobJson? Job;
    public long Version;

    public BoardJson ToJson() => new(Name, Address, Port, Host, BoardId, Online || SiteOnline, Virtual, FirstSeen, LastSeen, Last, Believed, Update)
    {
        Family = Family, Site = Site, Job = Job, OtaUi = OtaUi, OtaUiNote = OtaUiNote,
    };
}

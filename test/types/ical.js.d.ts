// The parts of Mozilla's ical.js 1.x (no bundled types) that the calendar tests use.
declare module 'ical.js' {
  interface Time {
    toJSDate(): Date;
  }
  interface Component {
    name: string;
    getAllSubcomponents(name: string): Component[];
    getFirstPropertyValue(name: string): unknown;
  }
  interface Event {
    uid: string;
    sequence: number;
    summary: string;
    startDate: Time;
    endDate: Time;
  }
  const ICAL: {
    Component: new (jCal: unknown) => Component;
    Event: new (component: Component) => Event;
    parse(input: string): unknown;
  };
  export default ICAL;
}

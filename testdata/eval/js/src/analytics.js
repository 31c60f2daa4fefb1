import mixpanel from 'mixpanel-browser';

const SEGMENT_WRITE_KEY = process.env.REACT_APP_SEGMENT_KEY;
const MAPS_API_KEY = 'AIzangbgxKhBtvGX8CiNtxXkZWI7gAyIuwMUfBu';
const apiKey = 'ugPp1R8lzy1d31RLu1n4ZSrv';
const SLACK_WEBHOOK = 'https://hooks.slack.com/services/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';

const ICON = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQBBZG9iZSBJbWFnZVJlYWR5ccllPAAAAKdJREFUeNpi/P//PwMlgImBQjDwBrCgC1haWv4HYWxqjx8/zgiiGdFdADIAKImhWFVVlfH27dtgNiPUdFx+QTcAGTCChOAG4PIGzAsgA9AMwWsAPkMwDMBjCFYDcBmCJwzAAMRn+ANIgt+YCgBvPysCAGAN3K5AIMwqAAAAAElFTkSuQmCC';

export function track(event, props) {
  mixpanel.track(event, { ...props, token: undefined });
}

export const sessionToken = () => localStorage.getItem('session_token');
